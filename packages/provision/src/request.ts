import { SessionClosedError } from '@wharf/auth'
import { type HttpClient, type HttpResponse, ParseError, type RequestBody } from '@wharf/core-http'
import { type InvalidFilterError, RequestBuildError, UnexpectedContentError } from './errors.js'
import { filterQuery } from './filter.js'
import { requireKey } from './keys.js'
import type { ModelTypes, Prefix } from './models.js'
import { genPatch, type JsonPatch } from './patch.js'
import { apiPath } from './paths.js'

/** What a request needs from its client. */
export interface RequestContext {
  readonly http: HttpClient
  readonly closed: boolean
  readonly traceLevel: string
  readonly traceTokenValue: string
}

function isBinary(body: unknown): body is RequestBody {
  return (
    body instanceof Uint8Array ||
    body instanceof ArrayBuffer ||
    body instanceof ReadableStream ||
    body instanceof Blob ||
    (typeof body === 'object' && body !== null && typeof (body as any).open === 'function')
  )
}

/**
 * One request/response round trip, built with chained calls like the seed's `R`:
 * `client.req().urlFor('machines').filter(...)`, `.put(body)`, `.patch(ops)`, then `do()`.
 * Builder mistakes are collected and thrown by `do()` before anything is sent.
 */
export class Req {
  readonly #ctx: RequestContext
  #method = 'GET'
  #path: string | undefined
  #query: URLSearchParams | undefined
  readonly #headers = new Headers()
  #body: RequestBody | undefined
  #failFast = false
  #paranoid = false
  #trace: string
  #traceToken: string
  #signal: AbortSignal | undefined
  readonly #errors: Error[] = []

  constructor(ctx: RequestContext) {
    this.#ctx = ctx
    this.#trace = ctx.traceLevel
    this.#traceToken = ctx.traceTokenValue
  }

  /** Sets an arbitrary method. */
  meth(method: string): this {
    this.#method = method.toUpperCase()
    return this
  }

  /** GET (the default). */
  get(): this {
    return this.meth('GET')
  }

  /** HEAD. */
  head(): this {
    return this.meth('HEAD')
  }

  /** DELETE. */
  del(): this {
    return this.meth('DELETE')
  }

  /** PUT with a body (`undefined` for none). */
  put(body?: unknown): this {
    return this.meth('PUT').body(body)
  }

  /** POST with a body. */
  post(body?: unknown): this {
    return this.meth('POST').body(body)
  }

  /** PATCH with an RFC 6902 patch. */
  patch(patch: JsonPatch): this {
    if (!Array.isArray(patch)) this.#errors.push(new RequestBuildError('a patch must be an array'))
    return this.meth('PATCH').body(patch)
  }

  /** Makes the next `patchObj`/`patchTo` generate a paranoid patch (one test of the whole object). */
  paranoidPatch(): this {
    this.#paranoid = true
    return this
  }

  /** PATCH with the patch generated from `old` to `next`. */
  patchObj(old: unknown, next: unknown): this {
    return this.patch(genPatch(old, next, this.#paranoid))
  }

  /** `patchObj` plus the URL of `old`; the keys of both objects must match. */
  patchTo<P extends Prefix>(prefix: P, old: ModelTypes[P], next: ModelTypes[P]): this {
    try {
      const key = requireKey(prefix, old)
      const nextKey = requireKey(prefix, next)
      if (key !== nextKey)
        throw new RequestBuildError(`Cannot change key from ${key} to ${nextKey}`)
      this.urlFor(prefix, key)
    } catch (error) {
      this.#errors.push(error as Error)
    }
    return this.patchObj(old, next)
  }

  /** Executes `patchTo` (paranoid when asked) and returns the updated object. */
  patchToFull<P extends Prefix>(
    prefix: P,
    old: ModelTypes[P],
    next: ModelTypes[P],
    paranoid: boolean,
  ): Promise<ModelTypes[P]> {
    if (paranoid) this.paranoidPatch()
    return this.patchTo(prefix, old, next).do<ModelTypes[P]>()
  }

  /** GETs the object's own URL and replaces the contents of `model` with the answer. */
  async fill<P extends Prefix>(prefix: P, model: ModelTypes[P]): Promise<ModelTypes[P]> {
    const fresh = await this.get().urlFor(prefix, requireKey(prefix, model)).do<ModelTypes[P]>()
    for (const k of Object.keys(model)) delete (model as Record<string, unknown>)[k]
    return Object.assign(model, fresh)
  }

  /** DELETEs the object's own URL; resolves to the deleted object. */
  async delete<P extends Prefix>(prefix: P, model: ModelTypes[P]): Promise<ModelTypes[P]> {
    return this.del().urlFor(prefix, requireKey(prefix, model)).do<ModelTypes[P]>()
  }

  /** GET `/api/v3/{prefix}`. */
  list(prefix: string): this {
    return this.get().urlFor(prefix)
  }

  /** Sets the URL to `/api/v3/` plus the joined parts; clears the query. */
  urlFor(...parts: string[]): this {
    try {
      this.#path = apiPath(...parts)
      this.#query = undefined
    } catch (error) {
      this.#errors.push(error as Error)
    }
    return this
  }

  /** Sets the URL to `/api/v3/{prefix}/{key}/{rest…}` (key left out when the object has none). */
  urlForM<P extends Prefix>(prefix: P, model: ModelTypes[P], ...rest: string[]): this {
    let key = ''
    try {
      key = requireKey(prefix, model)
    } catch {
      // An object without a key addresses the collection.
    }
    return this.urlFor(prefix, key, ...rest)
  }

  /** Replaces the whole query string with `k1, v1, k2, v2 …` (after a URL was set). */
  params(...pairs: string[]): this {
    if (this.#path === undefined) {
      this.#errors.push(new RequestBuildError('params() needs a URL first: call urlFor()'))
    } else if (pairs.length % 2 !== 0) {
      this.#errors.push(new RequestBuildError('params() needs an even number of arguments'))
    } else {
      const query = new URLSearchParams()
      for (let i = 0; i < pairs.length; i += 2) query.append(String(pairs[i]), String(pairs[i + 1]))
      query.sort()
      this.#query = query
    }
    return this
  }

  /** Adds headers `name1, value1, …`. */
  headers(...pairs: string[]): this {
    if (pairs.length % 2 !== 0) {
      this.#errors.push(new RequestBuildError('headers() needs an even number of arguments'))
      return this
    }
    try {
      for (let i = 0; i < pairs.length; i += 2) this.#headers.append(pairs[i]!, pairs[i + 1]!)
    } catch (error) {
      this.#errors.push(new RequestBuildError(`bad header: ${(error as Error).message}`))
    }
    return this
  }

  /** GET `/api/v3/{prefix}` with a filter in the seed's argument grammar. */
  filter(prefix: string, ...args: string[]): this {
    this.list(prefix)
    try {
      this.#query = filterQuery(...args)
    } catch (error) {
      this.#errors.push(error as InvalidFilterError)
    }
    return this
  }

  /**
   * Sets the body: byte arrays, blobs, streams and replayable bodies go as
   * `application/octet-stream`, anything else as JSON; `undefined` sends no body.
   */
  body(body: unknown): this {
    if (body === undefined || body === null) {
      this.#body = undefined
      this.#headers.set('content-type', 'application/json')
    } else if (isBinary(body)) {
      this.#body = body
      this.#headers.set('content-type', 'application/octet-stream')
    } else {
      this.#body = JSON.stringify(body)
      this.#headers.set('content-type', 'application/json')
    }
    return this
  }

  /** No retries, not even on refused or reset connections. */
  failFast(): this {
    this.#failFast = true
    return this
  }

  /** Server-side log level for this request (`X-Log-Request`); "" turns tracing off. */
  trace(level: string): this {
    this.#trace = level
    return this
  }

  /** Token the server logs at error level for this request (`X-Log-Token`). */
  traceToken(token: string): this {
    this.#traceToken = token
    return this
  }

  /** Aborts the request (and its retries) when the signal fires. */
  signal(signal: AbortSignal): this {
    this.#signal = signal
    return this
  }

  /** Sends the request and returns the raw response (errors for non-2xx statuses). */
  async send(accept = 'application/json'): Promise<HttpResponse> {
    if (this.#errors.length) throw this.#errors[0]
    if (this.#path === undefined) throw new RequestBuildError('No URL to talk to')
    if (this.#ctx.closed) throw new SessionClosedError()
    const headers = new Headers(this.#headers)
    if (this.#trace) {
      headers.set('x-log-request', this.#trace)
      headers.set('x-log-token', this.#traceToken)
    }
    headers.set('accept', accept)
    return this.#ctx.http.request(this.#path, {
      method: this.#method,
      headers,
      ...(this.#query ? { searchParams: this.#query } : {}),
      ...(this.#body === undefined ? {} : { body: this.#body }),
      ...(this.#failFast ? { failFast: true } : {}),
      ...(this.#signal ? { signal: this.#signal } : {}),
    })
  }

  /**
   * Sends the request. With a writable sink the body is streamed into it; otherwise a JSON
   * body is decoded and returned, and an empty body (204, HEAD, empty 201/202) gives
   * `undefined`. Non-JSON bodies are refused with UnexpectedContentError.
   */
  async do<T = unknown>(sink?: WritableStream<Uint8Array>): Promise<T> {
    const response = await this.send(sink ? 'application/octet-stream' : 'application/json')
    if (sink) {
      if (response.body) await response.body.pipeTo(sink)
      else await sink.close()
      return undefined as T
    }
    if (response.body === null) return undefined as T
    const type = response.headers.get('content-type') ?? ''
    if (/application\/json/i.test(type)) {
      const text = await response.text()
      if (text.trim() === '') return undefined as T
      try {
        return JSON.parse(text) as T
      } catch (error) {
        throw new ParseError(`${response.method} ${response.url}`, 'response is not valid JSON', {
          cause: error,
        })
      }
    }
    const bytes = await response.bytes()
    if (bytes.byteLength === 0) return undefined as T
    throw new UnexpectedContentError(
      response.status,
      `${response.method} ${response.url}: cannot handle content-type ${JSON.stringify(type)}`,
    )
  }
}
