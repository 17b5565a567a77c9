import {
  type AuthStrategy,
  createHttpClient,
  type FetchLike,
  type HttpClient,
  type RetryOptions,
} from '@wharf/core-http'
import { dockerErrorParser } from './errors.js'
import { VERSION } from './version.js'

/** How requests travel: shared by endpoints, sessions, login and search. */
export interface TransportOptions {
  /** A custom fetch (default the global one). */
  fetch?: FetchLike
  /** Wait for response headers, in ms (default 30 000). */
  timeout?: number
  /** Longest silence inside a response body, in ms (default 30 000). */
  idleTimeout?: number
  /** Retry policy or count (core-http's; 429 and 5xx honour `Retry-After`). */
  retry?: RetryOptions
  /** Extra headers on every request (Docker's "meta headers"). */
  headers?: HeadersInit
  /** Aborts every request. */
  signal?: AbortSignal
  /** Receives one redacted line per request and response. */
  debug?: (line: string) => void
}

/** A core-http client for one origin with this package's user agent and error parser. */
export function dockerHttpClient(
  baseUrl: string | URL,
  options: TransportOptions & { auth?: AuthStrategy } = {},
): HttpClient {
  return createHttpClient({
    baseUrl,
    userAgent: `wharf-docker-registry/${VERSION}`,
    errorParser: dockerErrorParser,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
    ...(options.idleTimeout === undefined ? {} : { idleTimeout: options.idleTimeout }),
    ...(options.retry === undefined ? {} : { retry: options.retry }),
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.debug ? { debug: options.debug } : {}),
    ...(options.auth ? { auth: options.auth } : {}),
  })
}
