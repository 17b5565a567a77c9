import {
  type ErrorParser,
  type FetchLike,
  HttpClient,
  HttpError,
  type HttpErrorInit,
  type RequestOptions,
  type RetryOptions,
  type WharfError,
} from '@wharf/core-http'
import { apiVersionAtLeast } from './api-version.js'
import {
  ForbiddenError,
  LibraryError,
  NotFoundError,
  QuotaExceededError,
  UnauthorizedError,
} from './errors.js'
import type { Envelope, VersionInfo } from './models.js'
import { VERSION } from './version.js'

/** Reads the library's `{"error": {"code", "message"}}` envelope. */
export const libraryErrorParser: ErrorParser = (body) => {
  const error = (body as Envelope<unknown> | undefined)?.error
  if (typeof error !== 'object' || error === null) return []
  return [{ code: String(error.code ?? ''), message: String(error.message ?? '') }]
}

/** Reads an S3-style XML error (`<Code>…</Code><Message>…</Message>`) from the object store. */
export const storageErrorParser: ErrorParser = (body) => {
  if (typeof body !== 'string') return []
  const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1]
  if (code === undefined) return []
  return [{ code, message: /<Message>([^<]*)<\/Message>/.exec(body)?.[1] ?? '' }]
}

const TYPED: Record<number, new (init: HttpErrorInit) => HttpError> = {
  401: UnauthorizedError,
  403: ForbiddenError,
  404: NotFoundError,
  413: QuotaExceededError,
  507: QuotaExceededError,
}

/** Replaces an HttpError by its typed subclass for 401, 403, 404 and quota statuses. */
export function typedHttpError(error: WharfError): WharfError | undefined {
  if (!(error instanceof HttpError) || error.code !== 'ERR_HTTP') return undefined
  const Typed = TYPED[error.status]
  if (!Typed) return undefined
  return new Typed(error.toInit())
}

/** Characters kept as they are in paths built from references; the rest is percent-encoded. */
const PATH_SAFE = /[A-Za-z0-9\-._~!$&'()*+,;=:@/]/

/** `v1/images/` + a reference, with only the characters that are illegal in a path escaped. */
export function refPath(prefix: string, ref: string): string {
  let out = prefix
  for (const c of ref) {
    out += PATH_SAFE.test(c)
      ? c
      : [...new TextEncoder().encode(c)].map((b) => `%${b.toString(16).toUpperCase()}`).join('')
  }
  return out
}

/** HTTP settings shared by the library and object-store clients. */
export interface TransportOptions {
  userAgent?: string
  fetch?: FetchLike
  timeout?: number | false
  idleTimeout?: number | false
  retry?: RetryOptions
  signal?: AbortSignal
  debug?: (line: string) => void
}

/** The library API over core-http: envelopes, version gates and object-store clients. */
export class LibraryApi {
  readonly #storage = new Map<string, HttpClient>()

  constructor(
    readonly http: HttpClient,
    private readonly transport: TransportOptions,
  ) {}

  /** Sends a request and returns the envelope's `data`. */
  async data<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.http.request(path, options)
    if (response.status === 204) return null as T
    const text = await response.text()
    if (text.trim() === '') return null as T
    let envelope: Envelope<T>
    try {
      envelope = JSON.parse(text)
    } catch (error) {
      throw new LibraryError(
        'ERR_PROTOCOL',
        `${options.method ?? 'GET'} ${path}: answer is not JSON: ${JSON.stringify(text.slice(0, 80))}`,
        { cause: error },
      )
    }
    if (envelope?.error) {
      throw new LibraryError(
        'ERR_LIBRARY',
        `${options.method ?? 'GET'} ${path}: ${envelope.error.message} (${envelope.error.code})`,
      )
    }
    return (envelope?.data ?? null) as T
  }

  /** `GET version`. */
  async version(signal?: AbortSignal): Promise<VersionInfo> {
    const info = await this.data<Partial<VersionInfo> | null>('version', signal ? { signal } : {})
    return { version: String(info?.version ?? ''), apiVersion: String(info?.apiVersion ?? '') }
  }

  /**
   * True when the server's API version is at least `minimum`. As in the Go client, the version
   * is asked every time and any failure means "not supported".
   */
  async supports(minimum: string, signal?: AbortSignal): Promise<boolean> {
    try {
      return apiVersionAtLeast((await this.version(signal)).apiVersion, minimum)
    } catch (error) {
      if (signal?.aborted) throw error
      return false
    }
  }

  /** A client for a presigned URL's origin: no auth strategy, object-store error parsing. */
  storage(url: string): HttpClient {
    const origin = new URL(url).origin
    let client = this.#storage.get(origin)
    if (!client) {
      const t = this.transport
      client = new HttpClient({
        baseUrl: origin,
        userAgent: this.http.options.userAgent ?? `wharf-library/${VERSION}`,
        errorParser: storageErrorParser,
        ...(t.fetch ? { fetch: t.fetch } : {}),
        ...(t.timeout === undefined ? {} : { timeout: t.timeout }),
        ...(t.idleTimeout === undefined ? {} : { idleTimeout: t.idleTimeout }),
        ...(t.retry === undefined ? {} : { retry: t.retry }),
        ...(t.signal ? { signal: t.signal } : {}),
        ...(t.debug ? { debug: t.debug } : {}),
      })
      this.#storage.set(origin, client)
    }
    return client
  }
}
