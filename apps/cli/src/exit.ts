/** The CLI's exit codes. */
export const EXIT = { ok: 0, failure: 1, usage: 2, notFound: 3, auth: 4 } as const

/** A usage mistake (exit 2) found after parsing, e.g. a malformed argument. */
export class UsageError extends Error {
  readonly code = 'ERR_USAGE'
}

const NOT_FOUND = /(_UNKNOWN|NOT_FOUND|NOTFOUND)$/i
const AUTH = /(UNAUTHORIZED|DENIED|ERR_AUTH|INTERACTION_REQUIRED|SESSION_CLOSED|LOGIN|DISCHARGE)/i

/**
 * Maps an error to the exit code users and scripts rely on. Wharf errors are recognised by
 * their stable `code` and, for HTTP errors, their `status` (so `wharf --help` need not load
 * @wharf/core-http).
 */
export function exitCodeFor(error: unknown): number {
  const { code, status } = (error ?? {}) as { code?: unknown; status?: unknown }
  if (code === 'ERR_USAGE') return EXIT.usage
  if (typeof status === 'number') {
    if (status === 401 || status === 403 || status === 407) return EXIT.auth
    if (status === 404) return EXIT.notFound
  }
  if (typeof code === 'string') {
    if (NOT_FOUND.test(code)) return EXIT.notFound
    if (AUTH.test(code)) return EXIT.auth
  }
  return EXIT.failure
}
