import type { FileHandle } from 'node:fs/promises'

/** Bytes gathered into one `writev` (512 KiB). */
const BATCH = 512 * 1024
/** Bytes handed to the file system and not yet written before `write` waits (2 MiB). */
const BACKLOG = 2 * 1024 * 1024

async function writevAll(fh: FileHandle, buffers: Uint8Array[], position: number): Promise<void> {
  let rest = buffers
  let at = position
  for (let i = 0; rest.length && i < 1000; i++) {
    const { bytesWritten } = await fh.writev(rest as NodeJS.ArrayBufferView[], at)
    at += bytesWritten
    let skip = bytesWritten
    const left: Uint8Array[] = []
    for (const b of rest) {
      if (skip >= b.byteLength) skip -= b.byteLength
      else {
        left.push(skip ? b.subarray(skip) : b)
        skip = 0
      }
    }
    rest = left
  }
}

/**
 * Writes one part's consecutive chunks to a file at their offsets: gathers them into 512 KiB
 * `writev` calls that run while the next bytes arrive, and makes the caller wait only when
 * 2 MiB are pending. `onWritten(end)` reports how far the part is on disk.
 */
export class PartWriter {
  readonly #fh: FileHandle
  readonly #onWritten: (end: number) => void
  #batch: Uint8Array[] = []
  #batchBytes = 0
  #batchAt = 0
  #backlog = 0
  #chain: Promise<void> = Promise.resolve()
  #failure: { error: unknown } | undefined

  constructor(fh: FileHandle, onWritten: (end: number) => void) {
    this.#fh = fh
    this.#onWritten = onWritten
  }

  /** Queues `bytes` for `position`; resolves once the backlog allows more. */
  async write(position: number, bytes: Uint8Array): Promise<void> {
    if (this.#failure) throw this.#failure.error
    if (this.#batchBytes && position !== this.#batchAt + this.#batchBytes) this.#send()
    if (!this.#batchBytes) this.#batchAt = position
    this.#batch.push(bytes)
    this.#batchBytes += bytes.byteLength
    if (this.#batchBytes >= BATCH) this.#send()
    if (this.#backlog > BACKLOG) await this.#chain
  }

  /** Writes everything queued; rejects with the first write error. */
  async flush(): Promise<void> {
    this.#send()
    await this.#chain
    if (this.#failure) throw this.#failure.error
  }

  #send(): void {
    if (!this.#batchBytes) return
    const buffers = this.#batch
    const at = this.#batchAt
    const n = this.#batchBytes
    this.#batch = []
    this.#batchBytes = 0
    this.#backlog += n
    this.#chain = this.#chain.then(async () => {
      if (this.#failure) return
      try {
        await writevAll(this.#fh, buffers, at)
        this.#backlog -= n
        this.#onWritten(at + n)
      } catch (error) {
        this.#failure = { error }
      }
    })
  }
}
