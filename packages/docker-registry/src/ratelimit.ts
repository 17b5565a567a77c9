import { HttpError } from '@wharf/core-http'

/** Docker Hub's pull rate limit as its response headers state it. */
export interface RateLimit {
  /** Pulls allowed per window. */
  limit?: number
  /** Pulls left in the current window. */
  remaining?: number
  /** Window length in seconds (`w=` of the header). */
  window?: number
  /** `docker-ratelimit-source`: who is counted (an IP or an account id). */
  source?: string
}

function parseCount(value: string | null): { count?: number; window?: number } {
  const m = /^\s*(\d+)\s*(?:;\s*w\s*=\s*(\d+))?/.exec(value ?? '')
  if (!m) return {}
  return { count: Number(m[1]), ...(m[2] ? { window: Number(m[2]) } : {}) }
}

/**
 * Reads `ratelimit-limit`, `ratelimit-remaining` (or their `x-ratelimit-*` variants) and
 * `docker-ratelimit-source` from response headers, or from an HttpError's headers.
 * Undefined when none is present (the pull is not limited).
 */
export function parseRateLimit(source: Headers | HttpError): RateLimit | undefined {
  const headers = source instanceof HttpError ? source.headers : source
  const header = (name: string) => headers.get(name) ?? headers.get(`x-${name}`)
  const limit = parseCount(header('ratelimit-limit'))
  const remaining = parseCount(header('ratelimit-remaining'))
  const who = headers.get('docker-ratelimit-source')
  if (limit.count === undefined && remaining.count === undefined) return undefined
  const window = limit.window ?? remaining.window
  return {
    ...(limit.count === undefined ? {} : { limit: limit.count }),
    ...(remaining.count === undefined ? {} : { remaining: remaining.count }),
    ...(window === undefined ? {} : { window }),
    ...(who ? { source: who } : {}),
  }
}
