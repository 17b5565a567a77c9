import { Worker } from 'node:worker_threads'
import { Digest, type DigestAlgorithm } from '../digest.js'

const BATCH = 1024 * 1024
const MAX_PENDING = 8 * 1024 * 1024

const WORKER = `
const { parentPort } = require('node:worker_threads')
const { createHash } = require('node:crypto')
let hash
parentPort.on('message', (m) => {
  if (m.type === 'start') hash = createHash(m.algorithm)
  else if (m.type === 'data') {
    hash.update(new Uint8Array(m.buffer, 0, m.length))
    parentPort.postMessage({ type: 'ack', buffer: m.buffer, length: m.length }, [m.buffer])
  } else if (m.type === 'end') parentPort.postMessage({ type: 'digest', hex: hash.digest('hex') })
})
`

/**
 * A sha2 hasher running node:crypto on a worker thread, so hashing overlaps network and disk
 * work on another core. Bytes are copied into 1 MiB batches whose buffers travel to the worker
 * and back (no garbage); `ready()` holds the caller back while more than 8 MiB wait.
 */
export class WorkerHasher {
  readonly #worker: Worker
  readonly #algorithm: DigestAlgorithm
  #batch = new Uint8Array(BATCH)
  #free: ArrayBuffer[] = []
  #used = 0
  #pending = 0
  #waiters: Array<() => void> = []
  #failure: { error: unknown } | undefined
  #result: ((hex: string) => void) | undefined

  constructor(algorithm: DigestAlgorithm) {
    this.#algorithm = algorithm
    this.#worker = new Worker(WORKER, { eval: true })
    this.#worker.unref()
    this.#worker.on(
      'message',
      (m: { type: string; length: number; buffer: ArrayBuffer; hex: string }) => {
        if (m.type === 'ack') {
          this.#free.push(m.buffer)
          this.#pending -= m.length
          this.#wake()
        } else this.#result?.(m.hex)
      },
    )
    this.#worker.on('error', (error) => {
      this.#failure = { error }
      this.#wake()
      this.#result?.('')
    })
    this.#worker.postMessage({ type: 'start', algorithm })
  }

  /** Copies `bytes` into the current batch, sending full batches to the worker. */
  update(bytes: Uint8Array): void {
    for (let at = 0; at < bytes.byteLength; ) {
      const n = Math.min(bytes.byteLength - at, BATCH - this.#used)
      this.#batch.set(bytes.subarray(at, at + n), this.#used)
      this.#used += n
      at += n
      if (this.#used === BATCH) this.#send()
    }
  }

  /** Resolves when the worker has caught up enough to take more. */
  async ready(): Promise<void> {
    for (let i = 0; this.#pending > MAX_PENDING && !this.#failure && i < 1_000_000; i++) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve))
    }
    if (this.#failure) throw this.#failure.error
  }

  /** Sends the rest, waits for the digest and stops the worker. */
  async digest(): Promise<Digest> {
    this.#send()
    const hex = await new Promise<string>((resolve) => {
      this.#result = resolve
      this.#worker.postMessage({ type: 'end' })
    })
    await this.close()
    if (this.#failure) throw this.#failure.error
    return new Digest(this.#algorithm, hex)
  }

  /** Stops the worker. */
  async close(): Promise<void> {
    await this.#worker.terminate()
  }

  #send(): void {
    if (!this.#used) return
    const buffer = this.#batch.buffer
    this.#worker.postMessage({ type: 'data', buffer, length: this.#used }, [buffer])
    this.#pending += this.#used
    const reuse = this.#free.pop()
    this.#batch = reuse ? new Uint8Array(reuse) : new Uint8Array(BATCH)
    this.#used = 0
  }

  #wake(): void {
    const waiters = this.#waiters
    this.#waiters = []
    for (const w of waiters) w()
  }
}
