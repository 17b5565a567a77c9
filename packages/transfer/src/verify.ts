import { type Digest, type DigestAlgorithm, parseDigest } from './digest.js'
import { DigestMismatchError, SizeMismatchError } from './errors.js'
import { createHasher } from './hash.js'
import { checkSize } from './options.js'
import type { ProgressListener } from './progress.js'

/** What to check while bytes pass through. */
export interface VerifyOptions {
  /** The digest the bytes must have; its algorithm is used for hashing. */
  expected?: Digest | string
  /** The exact number of bytes that must arrive. */
  size?: number
  /** Algorithm when `expected` is absent (default sha256). */
  algorithm?: DigestAlgorithm
  /** Receives unthrottled `progress` events (wrap with throttleProgress if needed). */
  onProgress?: ProgressListener
}

/** A pass-through stream that hashes, counts and verifies; `result` settles at its end. */
export type VerifyingStream = TransformStream<Uint8Array, Uint8Array> & {
  /** Digest and size of everything that passed, or the verification error. */
  readonly result: Promise<{ digest: Digest; size: number }>
}

/**
 * A TransformStream that passes bytes through unchanged, failing with SizeMismatchError as
 * soon as more bytes than `size` arrive (or at the end when fewer did) and with
 * DigestMismatchError at the end when the content does not hash to `expected`.
 */
export function verifyingStream(options: VerifyOptions = {}): VerifyingStream {
  const expected = options.expected === undefined ? undefined : parseDigest(options.expected)
  const size = checkSize(options.size)
  const hasher = createHasher(expected?.algorithm ?? options.algorithm ?? 'sha256')
  const onProgress = options.onProgress
  let count = 0
  let settle!: (value: { digest: Digest; size: number }) => void
  let fail!: (error: unknown) => void
  const result = new Promise<{ digest: Digest; size: number }>((resolve, reject) => {
    settle = resolve
    fail = reject
  })
  result.catch(() => {}) // the stream reports the same error; `result` may go unobserved
  const stream = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      count += chunk.byteLength
      if (size !== undefined && count > size) {
        const error = new SizeMismatchError(size, count)
        fail(error)
        controller.error(error)
        return
      }
      hasher.update(chunk)
      controller.enqueue(chunk)
      onProgress?.({
        type: 'progress',
        transferred: count,
        ...(size === undefined ? {} : { total: size }),
      })
    },
    flush(controller) {
      let error: Error | undefined
      const digest = hasher.digest()
      if (size !== undefined && count !== size) error = new SizeMismatchError(size, count)
      else if (expected && !expected.equals(digest)) {
        error = new DigestMismatchError(expected, digest, count)
      }
      if (error) {
        fail(error)
        controller.error(error)
      } else settle({ digest, size: count })
    },
    cancel(reason: unknown) {
      fail(reason)
    },
  } as Transformer<Uint8Array, Uint8Array>)
  return Object.assign(stream, { result }) as VerifyingStream
}

/** Pipes `stream` through {@link verifyingStream}; read the returned stream to verify. */
export function verifyStream(
  stream: ReadableStream<Uint8Array>,
  options: VerifyOptions,
): ReadableStream<Uint8Array> & { result: VerifyingStream['result'] } {
  const verifier = verifyingStream(options)
  return Object.assign(stream.pipeThrough(verifier), { result: verifier.result })
}
