/** The CLI's exit codes. */
export const EXIT = { ok: 0, failure: 1, usage: 2, notFound: 3, auth: 4 } as const

/** A usage mistake (exit 2) found after parsing, e.g. a malformed argument. */
export class UsageError extends Error {
  readonly code = 'ERR_USAGE'
}

const NOT_FOUND = /(_UNKNOWN|NOT_FOUND|NOTFOUND)$|^not found$/i
const AUTH =
  /^(UNAUTHORIZED|DENIED|ERR_AUTH.*|ERR_LOGIN.*|ERR_INTERACTION_REQUIRED|ERR_SESSION_CLOSED|unauthorized)$/i

/**
 * Maps an error to the exit code users and scripts rely on. Wharf errors are recognised by
 * their stable `code` (so `wharf --help` need not load @wharf/core-http).
 */
export function exitCodeFor(error: unknown): number {
  const { code, status } = (error ?? {}) as { code?: unknown; status?: unknown }
  if (code === 'ERR_USAGE') return EXIT.usage
  if (code === 'ERR_HTTP' && typeof status === 'number') {
    if (status === 401 || status === 403 || status === 407) return EXIT.auth
    if (status === 404) return EXIT.notFound
  }
  if (typeof code === 'string') {
    if (NOT_FOUND.test(code)) return EXIT.notFound
    if (AUTH.test(code)) return EXIT.auth
  }
  return EXIT.failure
}
