import { redactHeaders, redactSecrets, redactUrl } from './redact.js'

const KINDS = Symbol.for('wharf.error.kinds')

/** One error entry reported by an API in its error body (`{code, message, detail}`). */
export interface ApiErrorEntry {
  code: string
  message: string
  detail?: unknown
}

/** Options shared by every Wharf error. */
export interface WharfErrorOptions {
  cause?: unknown
}

/**
 * The root of every error Wharf throws. `code` is stable and meant for programs;
 * `instanceof` works across duplicate copies of the package.
 */
export class WharfError extends Error {
  /** Stable machine-readable code, e.g. `ERR_HTTP`. */
  readonly code: string

  constructor(code: string, message: string, options: WharfErrorOptions = {}) {
    super(
      redactSecrets(message),
      options.cause === undefined ? undefined : { cause: options.cause },
    )
    this.code = code
    this.name = new.target.name
    const kinds: string[] = []
    for (let c: any = new.target; c && c !== Error; c = Object.getPrototypeOf(c)) kinds.push(c.name)
    Object.defineProperty(this, KINDS, { value: kinds })
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== 'object' || value === null) return false
    const kinds = (value as any)[KINDS] as string[] | undefined
    // `this` is the class `instanceof` was asked about (a subclass when called on one).
    return kinds
      ? kinds.includes(this.name)
      : Function.prototype[Symbol.hasInstance].call(this, value)
  }
}

/** Details of an HTTP response that made a request fail. */
export interface HttpErrorInit {
  status: number
  statusText?: string
  method: string
  url: string | URL
  headers: Headers
  body?: unknown
  errors?: ApiErrorEntry[]
  cause?: unknown
}

/** The server answered with a status the caller did not accept. */
export class HttpError extends WharfError {
  readonly status: number
  readonly statusText: string
  readonly method: string
  /** The request URL with secrets redacted. */
  readonly url: string
  /** Response headers, with credentials redacted. */
  readonly headers: Headers
  /** The parsed error body (JSON when it was JSON, text otherwise), cut at the error body limit. */
  readonly body: unknown
  /** API-level error entries found in the body by the protocol's error parser. */
  readonly errors: ApiErrorEntry[]

  constructor(init: HttpErrorInit, code = 'ERR_HTTP') {
    const url = redactUrl(init.url)
    const statusText = init.statusText ?? ''
    const entries = init.errors ?? []
    const detail = entries.length
      ? entries.map((e) => (e.message ? `${e.code}: ${e.message}` : e.code)).join('; ')
      : typeof init.body === 'string' && init.body.trim()
        ? init.body.trim().slice(0, 300)
        : ''
    super(
      code,
      `${init.method} ${url} failed: ${init.status}${statusText ? ` ${statusText}` : ''}${detail ? ` (${detail})` : ''}`,
      { cause: init.cause },
    )
    this.status = init.status
    this.statusText = statusText
    this.method = init.method
    this.url = url
    this.headers = redactHeaders(init.headers)
    this.body = init.body
    this.errors = entries
  }

  /** What this error was made from, to re-type it as a protocol-specific subclass. */
  toInit(): HttpErrorInit {
    return {
      status: this.status,
      statusText: this.statusText,
      method: this.method,
      url: this.url,
      headers: this.headers,
      body: this.body,
      errors: this.errors,
      cause: this.cause,
    }
  }

  /** True when one of the API error entries carries this code. */
  hasCode(code: string): boolean {
    return this.errors.some((e) => e.code === code)
  }
}

/** The connection failed or broke: refused, reset, closed mid-stream, DNS failure. */
export class NetworkError extends WharfError {
  constructor(message: string, options: WharfErrorOptions = {}) {
    super('ERR_NETWORK', message, options)
  }
}

/** Which wait ran out: the response headers, a silent body, or the whole operation. */
export type TimeoutPhase = 'headers' | 'body' | 'deadline'

/** A timeout ran out. */
export class TimeoutError extends WharfError {
  readonly phase: TimeoutPhase
  readonly timeout: number
  constructor(phase: TimeoutPhase, timeout: number, what: string) {
    const text =
      phase === 'headers'
        ? `no response headers within ${timeout} ms`
        : phase === 'body'
          ? `no body bytes for ${timeout} ms`
          : `deadline of ${timeout} ms exceeded`
    super('ERR_TIMEOUT', `${what}: ${text}`)
    this.phase = phase
    this.timeout = timeout
  }
}

/** The caller aborted the operation through its AbortSignal. */
export class AbortError extends WharfError {
  constructor(what: string, reason?: unknown) {
    super('ERR_ABORTED', `${what}: aborted`, { cause: reason })
  }
}

/** A body was larger than the limit set for it. */
export class BodyTooLargeError extends WharfError {
  readonly limit: number
  constructor(what: string, limit: number) {
    super('ERR_BODY_TOO_LARGE', `${what}: body exceeds the limit of ${limit} bytes`)
    this.limit = limit
  }
}

/** A body could not be parsed (malformed JSON, unexpected content). */
export class ParseError extends WharfError {
  constructor(what: string, reason: string, options: WharfErrorOptions = {}) {
    super('ERR_PARSE', `${what}: ${reason}`, options)
  }
}

/** A redirect could not be followed safely (too many hops, bad scheme, unreplayable body). */
export class RedirectError extends WharfError {
  constructor(message: string) {
    super('ERR_REDIRECT', message)
  }
}

/** True when `error` is an HttpError, optionally with the given status. */
export function isHttpError(error: unknown, status?: number): error is HttpError {
  return error instanceof HttpError && (status === undefined || error.status === status)
}

/** True when `error` is any Wharf error, optionally with the given code. */
export function isWharfError(error: unknown, code?: string): error is WharfError {
  return error instanceof WharfError && (code === undefined || error.code === code)
}

/** True for NetworkError. */
export function isNetworkError(error: unknown): error is NetworkError {
  return error instanceof NetworkError
}

/** True for TimeoutError. */
export function isTimeoutError(error: unknown): error is TimeoutError {
  return error instanceof TimeoutError
}

/** True for AbortError. */
export function isAbortError(error: unknown): error is AbortError {
  return error instanceof AbortError
}
