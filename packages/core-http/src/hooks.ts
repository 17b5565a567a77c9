import type { WharfError } from './errors.js'
import type { HttpResponse } from './response.js'

/** A request about to be sent: hooks and auth strategies may change its headers. */
export interface OutgoingRequest {
  url: URL
  method: string
  headers: Headers
  /** Free-form data from the caller for hooks and auth (for example the OCI scopes). */
  context: Record<string, unknown>
  /** 0 for the first attempt, then 1, 2 … for retries. */
  attempt: number
}

/** Information given to `beforeRetry` hooks. */
export interface RetryInfo {
  request: OutgoingRequest
  /** The retry about to happen, 1-based. */
  retry: number
  /** The wait before it, in ms. */
  delay: number
  response?: HttpResponse
  error?: WharfError
}

/** Lifecycle hooks; each list runs in order. */
export interface Hooks {
  beforeRequest?: Array<(request: OutgoingRequest) => void | Promise<void>>
  afterResponse?: Array<(response: HttpResponse, request: OutgoingRequest) => void | Promise<void>>
  beforeRetry?: Array<(info: RetryInfo) => void | Promise<void>>
  /** May return a replacement error (for example a protocol-specific subclass). */
  onError?: Array<
    (
      error: WharfError,
      request: OutgoingRequest,
    ) => WharfError | undefined | Promise<WharfError | undefined>
  >
}

/**
 * An authentication strategy: adds credentials to requests for its origin and may ask for
 * one retry after a challenge. See @wharf/auth for the implementations.
 */
export interface AuthStrategy {
  /** Adds credentials to a request bound for the client's own origin. */
  authorize(request: OutgoingRequest): void | Promise<void>
  /**
   * Looks at a 401/407 (or protocol "discharge required") response and returns true when the
   * request should be sent once more with fresh credentials.
   */
  challenge?(request: OutgoingRequest, response: HttpResponse): boolean | Promise<boolean>
  /** Stops timers and releases resources. */
  close?(): void | Promise<void>
}

/** Extracts API-level error entries from a parsed error body. */
export type ErrorParser = (
  body: unknown,
  response: HttpResponse,
) => Array<{ code: string; message: string; detail?: unknown }>

/** Merges hook lists, `a` first. */
export function mergeHooks(a: Hooks = {}, b: Hooks = {}): Hooks {
  return {
    beforeRequest: [...(a.beforeRequest ?? []), ...(b.beforeRequest ?? [])],
    afterResponse: [...(a.afterResponse ?? []), ...(b.afterResponse ?? [])],
    beforeRetry: [...(a.beforeRetry ?? []), ...(b.beforeRetry ?? [])],
    onError: [...(a.onError ?? []), ...(b.onError ?? [])],
  }
}
