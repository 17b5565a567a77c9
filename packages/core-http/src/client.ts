import ky from 'ky'
import { bodySize, isReplayable, materializeBody, type RequestBody } from './body.js'
import { parseErrorBody } from './error-body.js'
import {
  HttpError,
  NetworkError,
  RedirectError,
  TimeoutError,
  type WharfError,
  WharfError as WharfErrorClass,
} from './errors.js'
import {
  type AuthStrategy,
  type ErrorParser,
  type Hooks,
  mergeHooks,
  type OutgoingRequest,
} from './hooks.js'
import { nextLink } from './link.js'
import { isSensitiveHeader, redactUrl } from './redact.js'
import { DEFAULT_BODY_LIMIT, HttpResponse } from './response.js'
import {
  backoffDelay,
  parseRetryAfter,
  type RetryOptions,
  type RetryPolicy,
  resolveRetry,
} from './retry.js'
import { guardStream, readPrefix, toWharfError } from './stream.js'
import { VERSION } from './version.js'

/** A `fetch`-compatible function. */
export type FetchLike = (
  input: string | URL | Request,
  init?: RequestInit & Record<string, unknown>,
) => Promise<Response>

/** Query parameters: undefined values are skipped, arrays repeat the key. */
export type SearchParams =
  | URLSearchParams
  | Record<string, string | number | boolean | undefined | null | ReadonlyArray<string | number>>

/** Options of a client; every per-request option can override the matching one here. */
export interface ClientOptions {
  /** The origin (and optional path prefix) every relative request is resolved against. */
  baseUrl: string | URL
  /** Headers sent with every request. Credentials here never leave the base origin. */
  headers?: HeadersInit
  /** `User-Agent`, by convention `wharf-<package>/<version>`. */
  userAgent?: string
  /** Wait for response headers, in ms (default 30 000); false for none. */
  timeout?: number | false
  /** Longest silence while reading a response body, in ms (default 30 000); false for none. */
  idleTimeout?: number | false
  /** Overall limit for a request including retries and reading its body, in ms. */
  deadline?: number
  /** Aborts every request of this client. */
  signal?: AbortSignal
  /** The fetch implementation (default: the global one). */
  fetch?: FetchLike
  /** Extra options passed to fetch (for example an undici `dispatcher`). */
  fetchOptions?: Record<string, unknown>
  /** Retry policy or retry count. */
  retry?: RetryOptions
  /** Redirect hops followed before RedirectError (default 10). */
  maxRedirects?: number
  /** Lifecycle hooks. */
  hooks?: Hooks
  /** Authentication strategy, applied only to requests for the base origin. */
  auth?: AuthStrategy
  /** The protocol's error-body parser. */
  errorParser?: ErrorParser
  /** Cap for bodies read whole with `bytes`/`text`/`json` (default 16 MiB). */
  bodyLimit?: number
  /** Cap for error bodies kept on HttpError (default 64 KiB); the rest is discarded. */
  errorBodyLimit?: number
  /** Receives one redacted line per request and response. */
  debug?: (line: string) => void
}

/** Options of one request. */
export interface RequestOptions {
  method?: string
  headers?: HeadersInit
  searchParams?: SearchParams
  body?: RequestBody
  /** A value sent as JSON (sets `Content-Type: application/json`). */
  json?: unknown
  signal?: AbortSignal
  timeout?: number | false
  idleTimeout?: number | false
  deadline?: number
  retry?: RetryOptions
  /** Never retry this request. */
  failFast?: boolean
  /** Throw HttpError for non-2xx statuses (default true); a function decides per status. */
  throwHttpErrors?: boolean | ((status: number) => boolean)
  /** Set false to send this request without the client's auth strategy. */
  auth?: boolean
  /** Data for hooks and the auth strategy (for example OCI scopes). */
  context?: Record<string, unknown>
  /** Follow redirects (default true); when false 3xx responses are returned. */
  followRedirects?: boolean
  /** Cap for bodies read whole from this response. */
  bodyLimit?: number
}

/** Options of {@link HttpClient.paginate}. */
export interface PaginateOptions extends RequestOptions {
  /** Pages fetched at most before failing with ERR_PAGINATION (default 1000). */
  maxPages?: number
}

const REDIRECTS = new Set([301, 302, 303, 307, 308])
const CHALLENGES = new Set([401, 407])

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason)
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal.reason)
    }
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

function isKyTimeout(error: unknown): boolean {
  return (error as any)?.name === 'TimeoutError' && (error as any)?.request instanceof Request
}

/** An HTTP client bound to a base URL. Create one with {@link createHttpClient}. */
export class HttpClient {
  /** The options this client was made with. */
  readonly options: Readonly<ClientOptions>
  /** The parsed base URL. */
  readonly baseUrl: URL
  readonly #retry: RetryPolicy

  constructor(options: ClientOptions) {
    this.options = Object.freeze({ ...options })
    this.baseUrl = new URL(String(options.baseUrl))
    if (this.baseUrl.protocol !== 'http:' && this.baseUrl.protocol !== 'https:') {
      throw new WharfErrorClass(
        'ERR_INVALID_URL',
        `baseUrl must be http(s): ${redactUrl(this.baseUrl)}`,
      )
    }
    if (this.baseUrl.username || this.baseUrl.password) {
      throw new WharfErrorClass(
        'ERR_INVALID_URL',
        `baseUrl must not carry credentials (${redactUrl(this.baseUrl)}): use the auth option`,
      )
    }
    this.#retry = resolveRetry(options.retry)
  }

  /** A derived client: headers and hooks are merged, other options override. */
  extend(options: Partial<ClientOptions>): HttpClient {
    const headers = new Headers(this.options.headers)
    for (const [k, v] of new Headers(options.headers)) headers.set(k, v)
    return new HttpClient({
      ...this.options,
      ...options,
      headers,
      hooks: mergeHooks(this.options.hooks, options.hooks),
    })
  }

  /** Resolves a path (appended to the base URL's path) or an absolute URL, with query parameters. */
  url(input: string | URL, searchParams?: SearchParams): URL {
    let url: URL
    if (input instanceof URL || /^[a-z][a-z0-9+.-]*:/i.test(input)) url = new URL(String(input))
    else {
      const base = this.baseUrl.href.replace(/[?#].*$/, '').replace(/\/+$/, '')
      url = new URL(`${base}/${input.replace(/^\/+/, '')}`)
    }
    if (searchParams) {
      const entries =
        searchParams instanceof URLSearchParams ? [...searchParams] : Object.entries(searchParams)
      for (const [key, value] of entries) {
        if (value === undefined || value === null) continue
        if (Array.isArray(value)) for (const v of value) url.searchParams.append(key, String(v))
        else url.searchParams.append(key, String(value))
      }
    }
    return url
  }

  /** Sends a request, following redirects and retrying as the policy says. */
  async request(input: string | URL, options: RequestOptions = {}): Promise<HttpResponse> {
    const o = this.options
    const method = (options.method ?? 'GET').toUpperCase()
    const url = this.url(input, options.searchParams)
    const what = `${method} ${redactUrl(url)}`
    const policy = options.failFast
      ? { ...this.#retry, limit: 0 }
      : resolveRetry(options.retry, this.#retry)

    const controller = new AbortController()
    const sources = [controller.signal, options.signal, o.signal].filter(
      (s): s is AbortSignal => !!s,
    )
    const signal = sources.length === 1 ? controller.signal : AbortSignal.any(sources)
    const deadline = options.deadline ?? o.deadline
    const deadlineTimer =
      deadline === undefined
        ? undefined
        : setTimeout(() => controller.abort(new TimeoutError('deadline', deadline, what)), deadline)
    // The deadline also covers reading the body: it is cleared when the returned body settles.
    ;(deadlineTimer as { unref?: () => void } | undefined)?.unref?.()
    const finish = () => clearTimeout(deadlineTimer)

    const headers = new Headers(o.headers)
    headers.set('user-agent', o.userAgent ?? `wharf-core-http/${VERSION}`)
    for (const [k, v] of new Headers(options.headers)) headers.set(k, v)
    let body = options.body
    if (options.json !== undefined) {
      body = JSON.stringify(options.json)
      if (!headers.has('content-type')) headers.set('content-type', 'application/json')
    }
    const size = bodySize(body)
    if (body !== undefined && size !== undefined && !headers.has('content-length')) {
      headers.set('content-length', String(size))
    }
    const state = {
      method,
      url,
      what,
      signal,
      controller,
      body,
      bodySent: false,
      replayable: isReplayable(body),
      headers,
      context: options.context ?? {},
      useAuth: options.auth !== false && o.auth !== undefined,
      options,
      onBodySettled: undefined as (() => void) | undefined,
    }

    let retry = 0
    let challenged = false
    for (;;) {
      let response: HttpResponse | undefined
      let failure: WharfError | undefined
      let request: OutgoingRequest = {
        url,
        method,
        headers: new Headers(headers),
        context: state.context,
        attempt: retry,
      }
      try {
        ;({ response, request } = await this.#exchange(state, retry))
      } catch (error) {
        failure = toWharfError(error, what, signal)
      }

      if (response) {
        if (
          CHALLENGES.has(response.status) &&
          state.useAuth &&
          o.auth?.challenge &&
          !challenged &&
          request.url.origin === this.baseUrl.origin &&
          (state.replayable || !state.bodySent)
        ) {
          challenged = true
          let again = false
          try {
            again = await o.auth.challenge(request, response)
          } catch (error) {
            failure = toWharfError(error, what, signal)
          }
          if (again && !failure) {
            await response.discard()
            continue
          }
        }
        if (!failure) {
          for (const hook of o.hooks?.afterResponse ?? []) await hook(response, request)
          if (response.status < 400) {
            if (response.body === null) finish()
            else state.onBodySettled = finish
            return response
          }
          const retryAfter = parseRetryAfter(response.headers.get('retry-after'))
          const canRetry =
            retry < policy.limit &&
            policy.statusCodes.includes(response.status) &&
            policy.methods.includes(method) &&
            (state.replayable || !state.bodySent) &&
            (retryAfter === undefined || retryAfter <= policy.maxRetryAfter)
          if (canRetry) {
            retry++
            const delay = retryAfter ?? backoffDelay(policy, retry)
            for (const hook of o.hooks?.beforeRetry ?? [])
              await hook({ request, retry, delay, response })
            await response.discard()
            try {
              await sleep(delay, signal)
            } catch (error) {
              failure = toWharfError(error, what, signal)
            }
            if (!failure) continue
          } else {
            const throws = options.throwHttpErrors ?? true
            if (typeof throws === 'function' ? !throws(response.status) : !throws) {
              if (response.body === null) finish()
              else state.onBodySettled = finish
              return response
            }
            failure = await this.#httpError(response)
          }
        }
      } else if (
        (failure instanceof NetworkError ||
          (failure instanceof TimeoutError && failure.phase === 'headers')) &&
        policy.networkErrors &&
        retry < policy.limit &&
        policy.methods.includes(method) &&
        (state.replayable || !state.bodySent)
      ) {
        retry++
        const delay = backoffDelay(policy, retry)
        for (const hook of o.hooks?.beforeRetry ?? [])
          await hook({ request, retry, delay, error: failure })
        try {
          await sleep(delay, signal)
          continue
        } catch (error) {
          failure = toWharfError(error, what, signal)
        }
      }

      finish()
      let error = failure!
      for (const hook of o.hooks?.onError ?? []) error = (await hook(error, request)) ?? error
      throw error
    }
  }

  /** One attempt: sends the request and follows redirects without leaking credentials. */
  async #exchange(
    state: {
      method: string
      url: URL
      what: string
      signal: AbortSignal
      controller: AbortController
      body: RequestBody | undefined
      bodySent: boolean
      replayable: boolean
      headers: Headers
      context: Record<string, unknown>
      useAuth: boolean
      options: RequestOptions
      onBodySettled: (() => void) | undefined
    },
    attempt: number,
  ): Promise<{ response: HttpResponse; request: OutgoingRequest }> {
    const o = this.options
    const opts = state.options
    let method = state.method
    let url = state.url
    let body = state.body
    const headers = new Headers(state.headers)
    let leftOrigin = false
    let authHeaders: string[] = []
    const maxRedirects = o.maxRedirects ?? 10
    for (let hop = 0; ; hop++) {
      const request: OutgoingRequest = {
        url,
        method,
        headers: new Headers(headers),
        context: state.context,
        attempt,
      }
      const foreign = leftOrigin || url.origin !== this.baseUrl.origin
      if (foreign) {
        for (const [name] of [...request.headers]) {
          if (isSensitiveHeader(name) || authHeaders.includes(name)) request.headers.delete(name)
        }
      } else if (state.useAuth) {
        const before = new Map(request.headers)
        await o.auth!.authorize(request)
        authHeaders = [...request.headers].filter(([k, v]) => before.get(k) !== v).map(([k]) => k)
      }
      for (const hook of o.hooks?.beforeRequest ?? []) await hook(request)

      let init: BodyInit | undefined
      if (body !== undefined) {
        if (!state.replayable && state.bodySent) {
          throw new RedirectError(
            `${state.what}: the request body is a one-shot stream and cannot be sent again`,
          )
        }
        init = await materializeBody(body)
        state.bodySent = true
      }
      // A signal for this hop alone (a header timeout ends the hop, not the whole request),
      // kept strongly reachable through the body guard: derived signals are held weakly, and
      // once one is collected an abort never reaches the body (seen on Node 24).
      const hopAbort = new AbortController()
      const hopSignal = AbortSignal.any([state.signal, hopAbort.signal])
      const started = performance.now()
      o.debug?.(`→ ${method} ${redactUrl(request.url)}`)
      const fetchImpl: FetchLike = o.fetch ?? globalThis.fetch
      const timeout = opts.timeout ?? o.timeout ?? 30_000
      let raw: Response
      try {
        raw = await ky(request.url, {
          method,
          headers: request.headers,
          signal: state.signal,
          timeout,
          retry: 0,
          throwHttpErrors: false,
          redirect: 'manual',
          ...(o.fetchOptions ?? {}),
          fetch: (req: Request, extra?: Record<string, unknown>) =>
            fetchImpl(req.url, {
              method: req.method,
              headers: req.headers,
              signal: hopSignal,
              redirect: 'manual',
              ...(init === undefined ? {} : { body: init, duplex: 'half' }),
              ...extra,
            }),
        } as any)
      } catch (error) {
        if (isKyTimeout(error) && !state.signal.aborted) {
          const timedOut = new TimeoutError('headers', timeout as number, state.what)
          hopAbort.abort(timedOut)
          throw timedOut
        }
        throw error
      }
      o.debug?.(
        `← ${raw.status} ${redactUrl(request.url)} (${Math.round(performance.now() - started)} ms)`,
      )

      const idleTimeout = opts.idleTimeout ?? o.idleTimeout ?? 30_000
      const what = `${method} ${redactUrl(request.url)}`
      const response = new HttpResponse({
        status: raw.status,
        statusText: raw.statusText,
        headers: raw.headers,
        url: request.url.href,
        method,
        redirected: hop > 0,
        body:
          raw.body === null || method === 'HEAD'
            ? null
            : guardStream(raw.body, {
                idleTimeout,
                what,
                signal: hopSignal,
                onIdle: (error) => state.controller.abort(error),
                onSettled: () => state.onBodySettled?.(),
              }),
        limit: opts.bodyLimit ?? o.bodyLimit ?? DEFAULT_BODY_LIMIT,
        what,
      })
      if (method === 'HEAD') raw.body?.cancel().catch(() => {})

      const location = raw.headers.get('location')
      if (!REDIRECTS.has(raw.status) || location === null || opts.followRedirects === false) {
        return { response, request }
      }
      await response.discard()
      if (hop + 1 > maxRedirects)
        throw new RedirectError(`${state.what}: more than ${maxRedirects} redirects`)
      let next: URL
      try {
        next = new URL(location, url)
      } catch {
        throw new RedirectError(`${state.what}: redirect to an invalid URL`)
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        throw new RedirectError(`${state.what}: refusing redirect to a ${next.protocol} URL`)
      }
      if (
        url.protocol === 'https:' &&
        next.protocol === 'http:' &&
        next.hostname !== url.hostname
      ) {
        leftOrigin = true
      }
      if (raw.status === 303 || ((raw.status === 301 || raw.status === 302) && method === 'POST')) {
        if (method !== 'HEAD') method = 'GET'
        body = undefined
        for (const name of ['content-type', 'content-length', 'content-encoding'])
          headers.delete(name)
      } else if (body !== undefined && !state.replayable) {
        throw new RedirectError(
          `${state.what}: ${raw.status} redirect needs the body again, but it was a one-shot stream`,
        )
      }
      if (next.origin !== url.origin) leftOrigin = true
      url = next
    }
  }

  async #httpError(response: HttpResponse): Promise<HttpError> {
    const limit = this.options.errorBodyLimit ?? 64 * 1024
    let body: unknown
    let errors: Array<{ code: string; message: string; detail?: unknown }> = []
    if (response.body) {
      try {
        const bytes = await readPrefix(response.body, limit)
        body = parseErrorBody(new TextDecoder().decode(bytes), response.headers.get('content-type'))
        errors = (this.options.errorParser ?? defaultErrorParser)(body, response)
      } catch {
        // An unreadable error body must not hide the status: keep what we have.
      }
    }
    return new HttpError({
      status: response.status,
      statusText: response.statusText,
      method: response.method,
      url: response.url,
      headers: response.headers,
      body,
      errors,
    })
  }

  /** GETs (by default) a JSON body, bounded by the body limit. */
  async json<T = unknown>(input: string | URL, options: RequestOptions = {}): Promise<T> {
    const headers = new Headers(options.headers)
    if (!headers.has('accept')) headers.set('accept', 'application/json')
    const response = await this.request(input, { ...options, headers })
    return response.json<T>()
  }

  /** Follows `Link: <…>; rel="next"` headers, yielding each page's response. */
  async *paginate(
    input: string | URL,
    options: PaginateOptions = {},
  ): AsyncGenerator<HttpResponse> {
    const { maxPages = 1000, searchParams, ...rest } = options
    let url: URL | undefined = this.url(input, searchParams)
    for (let page = 1; url; page++) {
      if (page > maxPages) {
        throw new WharfErrorClass(
          'ERR_PAGINATION',
          `${redactUrl(url)}: more than ${maxPages} pages`,
        )
      }
      const response = await this.request(url, rest)
      const next = nextLink(response.headers, response.url)
      if (next && next.protocol !== 'http:' && next.protocol !== 'https:') {
        await response.discard()
        throw new WharfErrorClass('ERR_PAGINATION', `refusing a ${next.protocol} next-page link`)
      }
      yield response
      await response.discard()
      url = next
    }
  }

  /** Releases the auth strategy's timers. */
  async close(): Promise<void> {
    await this.options.auth?.close?.()
  }
}

/** The generic error parser: OCI-style `errors` arrays, `{error}` objects and `{code, message}`. */
export const defaultErrorParser: ErrorParser = (body) => {
  if (typeof body !== 'object' || body === null) return []
  const b = body as any
  const list = Array.isArray(b.errors)
    ? b.errors
    : b.error && typeof b.error === 'object'
      ? [b.error]
      : [b]
  return list
    .filter(
      (e: any) => e && typeof e === 'object' && (e.code !== undefined || e.message !== undefined),
    )
    .map((e: any) => ({
      code: String(e.code ?? ''),
      message: String(e.message ?? ''),
      detail: e.detail,
    }))
}

/** Creates an HTTP client bound to `options.baseUrl`. */
export function createHttpClient(options: ClientOptions): HttpClient {
  return new HttpClient(options)
}
