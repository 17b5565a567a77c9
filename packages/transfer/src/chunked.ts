import { HttpError, type ReplayableBody } from '@wharf/core-http'
import { isTransient, linkedController, retryDelay, sleep, throwIfAborted } from './attempts.js'
import type { Digest, DigestAlgorithm } from './digest.js'
import { RangeResponseError, SizeMismatchError } from './errors.js'
import { createHasher, type Hasher } from './hash.js'
import { positive } from './options.js'
import { type ProgressListener, progressReporter } from './progress.js'
import { openRange, sourceSize, type UploadSource } from './source.js'

/** The protocol side of a sequential chunked upload (OCI `PATCH` uploads). */
export interface ChunkedAdapter {
  /** Sends bytes `[offset, offset + size)`; resolves with the server's new offset. */
  patch(
    chunk: { offset: number; size: number; body: ReplayableBody },
    signal: AbortSignal,
  ): Promise<{ offset: number }>
  /** Asks the server how many bytes it has (OCI: `GET` the upload, `Range: 0-<last>`). */
  status(signal: AbortSignal): Promise<{ offset: number }>
}

/** Options of {@link chunkedUpload}. */
export interface ChunkedOptions {
  source: UploadSource
  /** Expected size; checked against the source. */
  size?: number
  /** Bytes per chunk. */
  chunkSize: number
  adapter: ChunkedAdapter
  /** Algorithm of the returned digest (default sha256). */
  algorithm?: DigestAlgorithm
  /** Recoveries in a row without progress before giving up (default 3). */
  retry?: number
  /** Base wait between attempts in ms, doubling (default 250). */
  retryDelay?: number
  /** Which errors are recovered from (default: network, timeout, 408/429/5xx, and 416). */
  retryable?: (error: unknown) => boolean
  signal?: AbortSignal
  onProgress?: ProgressListener
}

function recoverable(error: unknown): boolean {
  return isTransient(error) || (error instanceof HttpError && error.status === 416)
}

/**
 * A stream of `[start, end)` of the source that hashes, in order, the bytes past what was
 * hashed before (a re-sent range is not hashed twice) and checks the source's length.
 */
function hashingRange(
  source: UploadSource,
  start: number,
  end: number,
  hashed: { hasher: Hasher; upTo: number },
): ReadableStream<Uint8Array> {
  let position = start
  return openRange(source, start, end).pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        const from = position
        position += chunk.byteLength
        if (position > end)
          throw new SizeMismatchError(end - start, position - start, 'upload source range')
        if (position > hashed.upTo && from <= hashed.upTo) {
          hashed.hasher.update(chunk.subarray(hashed.upTo - from))
          hashed.upTo = position
        }
        controller.enqueue(chunk)
      },
      flush() {
        if (position !== end)
          throw new SizeMismatchError(end - start, position - start, 'upload source range')
      },
    }),
  )
}

/**
 * Uploads a source in order, one chunk at a time. When a chunk is lost (a network error, a 5xx
 * or a 416) it asks the server for its offset and continues from there, re-reading the source;
 * `retry` recoveries in a row without progress are allowed. Resolves with the digest and size
 * of the source (for the closing request, e.g. OCI's `PUT ?digest=`).
 */
export async function chunkedUpload(
  options: ChunkedOptions,
): Promise<{ digest: Digest; size: number }> {
  const { adapter, source } = options
  const size = sourceSize(source, options.size)
  const chunkSize = positive(options.chunkSize, 'chunkSize')
  const retries = Math.max(0, Math.floor(options.retry ?? 3))
  const canRecover = options.retryable ?? recoverable
  const report = progressReporter(options.onProgress)
  const signal = linkedController(options.signal).signal
  const hashed = { hasher: createHasher(options.algorithm ?? 'sha256'), upTo: 0 }
  report({ type: 'start', total: size })
  try {
    let offset = 0
    let failures = 0
    for (let round = 0; offset < size; round++) {
      throwIfAborted(signal, 'chunked upload')
      if (round > 2 * Math.ceil(size / chunkSize) + 10 * (retries + 1)) {
        throw new RangeResponseError(`chunked upload: no end after ${round} requests`)
      }
      const end = Math.min(size, offset + chunkSize)
      const at = offset
      let next: number
      try {
        const body: ReplayableBody = {
          size: end - at,
          open: () => hashingRange(source, at, end, hashed),
        }
        next = (await adapter.patch({ offset: at, size: end - at, body }, signal)).offset
      } catch (error) {
        if (signal.aborted || !canRecover(error) || failures >= retries) throw error
        failures++
        report({ type: 'error', error, retrying: true })
        await sleep(retryDelay(options.retryDelay ?? 250, failures), signal)
        try {
          next = (await adapter.status(signal)).offset
        } catch (statusError) {
          if (signal.aborted || !canRecover(statusError)) throw statusError
          continue
        }
      }
      if (!Number.isSafeInteger(next) || next < 0 || next > end) {
        throw new RangeResponseError(
          `chunked upload: the server reports offset ${next} after bytes ${at}-${end - 1} were sent`,
        )
      }
      if (next > at) failures = 0
      else if (++failures > retries) {
        throw new RangeResponseError(
          `chunked upload: no progress at offset ${at} after ${failures} attempts`,
        )
      }
      offset = next
      report({ type: 'progress', transferred: offset, total: size })
    }
    if (hashed.upTo < size) {
      const reader = hashingRange(source, hashed.upTo, size, hashed).getReader()
      for (let r = await reader.read(); !r.done; r = await reader.read()) {}
    }
    const digest = hashed.hasher.digest()
    report({ type: 'done', transferred: size })
    return { digest, size }
  } catch (error) {
    report({ type: 'error', error })
    throw error
  }
}
