import type { ProvisionClient } from '../client.js'

/** Where local log text goes (e.g. `(text) => process.stderr.write(text)`). */
export type AgentLogger = (text: string) => void

/** Options of {@link JobLogForwarder}. */
export interface JobLogOptions {
  /** Bytes buffered before a flush is forced (default 64 KiB). */
  limit?: number
  /** Longest time text waits before it is sent, in ms (default 1000). */
  interval?: number
}

/**
 * Forwards a job's output to `PUT /jobs/{id}/log` in batches (at most `limit` bytes held, sent
 * at least every `interval` ms) and to a local logger. The server side stops at the first
 * failed PUT (the error is kept in `error`); the local logger keeps receiving everything.
 */
export class JobLogForwarder {
  readonly #client: ProvisionClient
  readonly #job: string
  readonly #logger: AgentLogger
  readonly #limit: number
  readonly #interval: number
  readonly #decoder = new TextDecoder()
  #parts: Uint8Array[] = []
  #size = 0
  #timer: ReturnType<typeof setTimeout> | undefined
  #sending: Promise<void> = Promise.resolve()
  /** The first failed PUT, after which nothing more is sent. */
  error: unknown

  constructor(
    client: ProvisionClient,
    job: string,
    logger: AgentLogger,
    options: JobLogOptions = {},
  ) {
    this.#client = client
    this.#job = job
    this.#logger = logger
    this.#limit = options.limit ?? 64 * 1024
    this.#interval = options.interval ?? 1000
  }

  /** Queues text or bytes; resolves once the buffer is back under its limit. */
  async write(data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data
    this.#logger(typeof data === 'string' ? data : this.#decoder.decode(data, { stream: true }))
    if (this.error !== undefined || bytes.byteLength === 0) return
    this.#parts.push(bytes)
    this.#size += bytes.byteLength
    if (this.#size >= this.#limit) await this.flush()
    else this.#timer ??= setTimeout(() => void this.flush(), this.#interval)
  }

  /** Sends everything queued so far (one PUT at a time, in order). */
  flush(): Promise<void> {
    clearTimeout(this.#timer)
    this.#timer = undefined
    const parts = this.#parts
    const size = this.#size
    this.#parts = []
    this.#size = 0
    this.#sending = this.#sending.then(async () => {
      if (size === 0 || this.error !== undefined) return
      const body = new Uint8Array(size)
      let at = 0
      for (const p of parts) {
        body.set(p, at)
        at += p.byteLength
      }
      try {
        await this.#client.appendJobLog(this.#job, body)
      } catch (error) {
        this.error = error
        this.#logger(`job log: giving up sending to the server: ${String(error)}\n`)
      }
    })
    return this.#sending
  }

  /** Flushes and stops the timer. */
  close(): Promise<void> {
    return this.flush()
  }
}
