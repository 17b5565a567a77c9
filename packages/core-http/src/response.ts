import { BodyTooLargeError, ParseError } from './errors.js'
import { readLimited } from './stream.js'

/** Default cap for bodies read whole (`bytes`, `text`, `json`): 16 MiB. */
export const DEFAULT_BODY_LIMIT = 16 * 1024 * 1024

/** Per-read options of a response body. */
export interface ReadOptions {
  /** Bytes allowed before BodyTooLargeError; default the client's `bodyLimit`. */
  limit?: number
}

/** What the client hands back for a request: status, headers and a guarded body stream. */
export class HttpResponse {
  readonly status: number
  readonly statusText: string
  readonly headers: Headers
  /** The final URL after redirects. */
  readonly url: string
  /** The request method. */
  readonly method: string
  /** True when at least one redirect was followed. */
  readonly redirected: boolean
  /** The body as a web stream (idle-timeout guarded); null for bodiless responses. */
  readonly body: ReadableStream<Uint8Array> | null
  readonly #limit: number
  readonly #what: string

  constructor(init: {
    status: number
    statusText: string
    headers: Headers
    url: string
    method: string
    redirected: boolean
    body: ReadableStream<Uint8Array> | null
    limit?: number
    what: string
  }) {
    this.status = init.status
    this.statusText = init.statusText
    this.headers = init.headers
    this.url = init.url
    this.method = init.method
    this.redirected = init.redirected
    this.body = init.body
    this.#limit = init.limit ?? DEFAULT_BODY_LIMIT
    this.#what = init.what
  }

  /** True for 2xx statuses. */
  get ok(): boolean {
    return this.status >= 200 && this.status < 300
  }

  /** The whole body as bytes, bounded by the body limit. */
  async bytes(options: ReadOptions = {}): Promise<Uint8Array> {
    const limit = options.limit ?? this.#limit
    const length = Number(this.headers.get('content-length'))
    if (this.body === null) return new Uint8Array(0)
    if (Number.isFinite(length) && length > limit) {
      await this.discard()
      throw new BodyTooLargeError(this.#what, limit)
    }
    return readLimited(this.body, limit, this.#what)
  }

  /** The whole body as UTF-8 text, bounded by the body limit. */
  async text(options: ReadOptions = {}): Promise<string> {
    return new TextDecoder().decode(await this.bytes(options))
  }

  /** The body parsed as JSON, bounded by the body limit; malformed JSON is a ParseError. */
  async json<T = unknown>(options: ReadOptions = {}): Promise<T> {
    const text = await this.text(options)
    try {
      return JSON.parse(text) as T
    } catch (error) {
      throw new ParseError(
        this.#what,
        `response is not valid JSON (${(error as Error).message}): ${JSON.stringify(text.slice(0, 80))}`,
        { cause: error },
      )
    }
  }

  /** Releases the body without reading it (the connection is closed, not drained). */
  async discard(): Promise<void> {
    if (this.body && !this.body.locked) this.body.cancel().catch(() => {})
  }
}
