import type { Digest } from '../digest.js'

/** What OrderedHasher feeds: a hasher, possibly asynchronous (see WorkerHasher). */
export interface Digester {
  update(bytes: Uint8Array): void
  digest(): Digest | Promise<Digest>
  /** Resolves when more bytes may be fed (backpressure). */
  ready?(): Promise<void>
}

/** Bytes read back from the file at a time (1 MiB). */
export const READ_BACK = 1024 * 1024

/**
 * Hashes a file that is written out of order, in order. A chunk arriving exactly where hashing
 * stands is hashed from memory; bytes written ahead of it are read back from the file (the page
 * cache) once everything before them is hashed, at most READ_BACK bytes at a time; `read` may
 * reuse its buffer, as each read is hashed before the next. With one part nothing is read back.
 */
export class OrderedHasher {
  readonly #hasher: Digester
  readonly #partSize: number
  /** Per part: where its contiguous written bytes end (absolute). */
  readonly #written: number[]
  readonly #read: (position: number, length: number) => Promise<Uint8Array>
  #hashed = 0
  #catching: Promise<void> | undefined

  constructor(
    hasher: Digester,
    partSize: number,
    written: number[],
    read: (position: number, length: number) => Promise<Uint8Array>,
  ) {
    this.#hasher = hasher
    this.#partSize = partSize
    this.#written = written
    this.#read = read
  }

  /** A chunk is about to be written at `position`. */
  arrived(position: number, bytes: Uint8Array): void {
    if (this.#catching || position !== this.#hashed) return
    this.#hasher.update(bytes)
    this.#hashed += bytes.byteLength
    if (this.#available() > 0) this.#catchUp()
  }

  /** Resolves when the hasher can take more bytes. */
  ready(): Promise<void> | undefined {
    return this.#hasher.ready?.()
  }

  /** Part `index` now has its bytes written up to `end`. */
  written(index: number, end: number): void {
    this.#written[index] = end
    if (!this.#catching && this.#available() > 0) this.#catchUp()
  }

  /** Hashes whatever is left up to `size` and returns the digest. */
  async finish(): Promise<{ digest: Digest; hashed: number }> {
    await this.#catching
    this.#catchUp()
    await this.#catching
    return { digest: await this.#hasher.digest(), hashed: this.#hashed }
  }

  #available(): number {
    const index = Math.min(this.#written.length - 1, Math.floor(this.#hashed / this.#partSize))
    return (this.#written[index] ?? 0) - this.#hashed
  }

  #catchUp(): void {
    if (this.#catching) return
    this.#catching = (async () => {
      try {
        for (let n = this.#available(); n > 0; n = this.#available()) {
          const bytes = await this.#read(this.#hashed, Math.min(n, READ_BACK))
          this.#hasher.update(bytes)
          this.#hashed += bytes.byteLength
          await this.#hasher.ready?.()
        }
      } finally {
        this.#catching = undefined
      }
    })()
    this.#catching.catch(() => {})
  }
}
