import type { ReplayableBody } from '@wharf/core-http'
import type { Digest, DigestAlgorithm } from './digest.js'
import { SizeMismatchError } from './errors.js'
import { createHasher, type Hasher } from './hash.js'
import { openRange, type UploadSource } from './source.js'

const SLICE = 256 * 1024

/**
 * Reads a source from its start in consecutive parts, each copied into its own buffer (bytes in
 * memory are sliced, not copied) and hashed as it is read; optionally hashes the whole source
 * too. Calls must not overlap.
 */
export class PartReader {
  readonly #source: UploadSource
  readonly #size: number
  readonly #whole: Hasher | undefined
  #reader: ReadableStreamDefaultReader<Uint8Array> | undefined
  #left: Uint8Array | undefined
  #offset = 0

  constructor(source: UploadSource, size: number, whole: DigestAlgorithm | undefined) {
    this.#source = source
    this.#size = size
    this.#whole = whole ? createHasher(whole) : undefined
  }

  /** The next `length` bytes and their checksum. */
  async read(
    length: number,
    algorithm: DigestAlgorithm,
  ): Promise<{ bytes: Uint8Array; checksum: Digest }> {
    const hasher = createHasher(algorithm)
    let bytes: Uint8Array
    if (this.#source instanceof Uint8Array) {
      bytes = this.#source.subarray(this.#offset, this.#offset + length)
    } else {
      bytes = new Uint8Array(length)
      let filled = 0
      while (filled < length) {
        const chunk = this.#left ?? (await this.#next())
        if (!chunk) throw new SizeMismatchError(this.#size, this.#offset + filled, 'upload source')
        const take = Math.min(chunk.byteLength, length - filled)
        bytes.set(chunk.subarray(0, take), filled)
        this.#left = take < chunk.byteLength ? chunk.subarray(take) : undefined
        filled += take
      }
    }
    hasher.update(bytes)
    this.#whole?.update(bytes)
    this.#offset += length
    if (this.#offset === this.#size) await this.#checkEnd()
    return { bytes, checksum: hasher.digest() }
  }

  /** The digest of everything read, once the whole source was read. */
  digest(): Digest | undefined {
    return this.#whole?.digest()
  }

  /** Releases the source stream early (after a failure). */
  close(): void {
    this.#reader?.cancel().catch(() => {})
  }

  async #next(): Promise<Uint8Array | undefined> {
    this.#reader ??= openRange(this.#source, 0, this.#size).getReader()
    for (let empty = 0; empty < 1000; empty++) {
      const { done, value } = await this.#reader.read()
      if (done) return undefined
      if (value.byteLength) return value
    }
    throw new SizeMismatchError(this.#size, this.#offset, 'upload source (no progress)')
  }

  async #checkEnd(): Promise<void> {
    if (this.#source instanceof Uint8Array) return
    const extra = this.#left ?? (await this.#next())
    if (extra) {
      this.close()
      throw new SizeMismatchError(this.#size, this.#size + extra.byteLength, 'upload source')
    }
  }
}

/** A replayable body over bytes in memory, reporting each slice as it is read. */
export function bufferBody(
  bytes: Uint8Array,
  onRead: (n: number, fresh: boolean) => void,
): ReplayableBody {
  return {
    size: bytes.byteLength,
    open() {
      let offset = 0
      let fresh = true
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          if (offset >= bytes.byteLength) {
            controller.close()
            return
          }
          const n = Math.min(SLICE, bytes.byteLength - offset)
          controller.enqueue(bytes.subarray(offset, offset + n))
          offset += n
          onRead(n, fresh)
          fresh = false
        },
      })
    },
  }
}
