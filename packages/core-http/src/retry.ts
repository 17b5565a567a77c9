/** How the wait between attempts grows. */
export type Backoff = 'exponential' | 'fibonacci' | ((retry: number) => number)

/** When and how often a request is tried again. */
export interface RetryPolicy {
  /** Retries after the first attempt (0 disables retrying). Default 2. */
  limit: number
  /** Methods that may be retried. Default: GET, HEAD, PUT, DELETE, OPTIONS. */
  methods: readonly string[]
  /** Statuses that are retried. Default: 408, 429, 500, 502, 503, 504. */
  statusCodes: readonly number[]
  /** Whether connection failures (refused, reset, socket hang up) are retried. Default true. */
  networkErrors: boolean
  /** Growth of the wait between attempts. Default exponential with jitter. */
  backoff: Backoff
  /** Base wait in ms: the first exponential wait, or one unit of the fibonacci series. Default 300. */
  delay: number
  /** Upper bound of a computed wait in ms. Default 30 000. */
  maxDelay: number
  /** The longest `Retry-After` honoured, in ms; a longer one fails the request. Default 60 000. */
  maxRetryAfter: number
  /** Add random jitter to exponential waits. Default true. */
  jitter: boolean
}

/** Default retry policy. */
export const DEFAULT_RETRY: Readonly<RetryPolicy> = Object.freeze({
  limit: 2,
  methods: Object.freeze(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']),
  statusCodes: Object.freeze([408, 429, 500, 502, 503, 504]),
  networkErrors: true,
  backoff: 'exponential',
  delay: 300,
  maxDelay: 30_000,
  maxRetryAfter: 60_000,
  jitter: true,
})

/** A partial policy, or a retry count. */
export type RetryOptions = Partial<RetryPolicy> | number

/** Completes a partial retry policy with the defaults (or with `base`). */
export function resolveRetry(
  options: RetryOptions | undefined,
  base: RetryPolicy = DEFAULT_RETRY,
): RetryPolicy {
  if (options === undefined) return base
  if (typeof options === 'number') return { ...base, limit: options }
  return { ...base, ...options }
}

function fibonacci(n: number): number {
  let a = 1
  let b = 1
  for (let i = 1; i < n; i++) [a, b] = [b, a + b]
  return a
}

/** The wait in ms before retry number `retry` (1-based) under `policy`. */
export function backoffDelay(policy: RetryPolicy, retry: number): number {
  const { backoff } = policy
  let wait: number
  if (typeof backoff === 'function') wait = backoff(retry)
  else if (backoff === 'fibonacci') wait = policy.delay * fibonacci(retry)
  else {
    wait = Math.min(policy.maxDelay, policy.delay * 2 ** (retry - 1))
    if (policy.jitter) wait = wait / 2 + Math.random() * (wait / 2)
  }
  return Math.max(0, Math.min(policy.maxDelay, wait))
}

/**
 * Parses a `Retry-After` value (delta seconds or an HTTP-date) into ms from `now`;
 * undefined when absent or malformed.
 */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const date = Date.parse(text)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
}
