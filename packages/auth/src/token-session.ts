import type { AuthStrategy, HttpResponse, OutgoingRequest } from '@wharf/core-http'
import { SessionClosedError } from './errors.js'
import { redacted } from './redact.js'
import { assertSecureTransport } from './transport.js'

/** What a login returns: the token and, when the server says, when it expires (epoch ms). */
export interface SessionToken {
  token: string
  expiresAt?: number
}

/** Options of {@link tokenSession}. */
export interface TokenSessionOptions {
  /** Obtains a fresh token (for example `GET /api/v3/users/<name>/token` with basic auth). */
  login: (signal?: AbortSignal) => Promise<SessionToken>
  /** Lifetime assumed when `login` gives no `expiresAt`, in ms (default 600 000). */
  ttl?: number
  /** Background refresh period in ms (default 300 000). */
  refreshEvery?: number
  /** Allow sending the token over plain HTTP to a non-loopback host (default false). */
  allowInsecure?: boolean
}

/** A bearer token session that logs in lazily and keeps its token fresh in the background. */
export interface TokenSession extends AuthStrategy {
  /** The current token, or undefined before the first login and after `close()`. */
  readonly token: string | undefined
  /** Logs in now (concurrent calls share one login) and restarts the refresh timer. */
  refresh(): Promise<string>
  /** Stops the refresh and aborts a running login; later use throws `ERR_SESSION_CLOSED`. */
  close(): void
  challenge(request: OutgoingRequest, response: HttpResponse): Promise<boolean>
}

/** Shortest wait between background logins, in ms. */
const MIN_DELAY = 1_000
/** Wait before retrying a failed background refresh, in ms (bounded by the refresh period). */
const RETRY_AFTER_FAILURE = 30_000

/**
 * A bearer token session like the provision API's UserSession: logs in on first use, sends
 * `Authorization: Bearer <token>`, refreshes every `refreshEvery` (and before expiry), logs
 * in again once after a 401, and stops on `close()`. Its timer never keeps the process alive.
 */
export function tokenSession(options: TokenSessionOptions): TokenSession {
  const ttl = options.ttl ?? 600_000
  const refreshEvery = options.refreshEvery ?? 300_000
  let current: { token: string; expiresAt: number } | undefined
  let running: Promise<string> | undefined
  let controller: AbortController | undefined
  let timer: ReturnType<typeof setTimeout> | undefined
  let closed = false

  const schedule = (delay: number) => {
    clearTimeout(timer)
    timer = setTimeout(() => {
      session.refresh().catch(() => {
        if (!closed) schedule(Math.min(RETRY_AFTER_FAILURE, refreshEvery))
      })
    }, delay)
    ;(timer as { unref?: () => void }).unref?.()
  }

  const login = async (): Promise<string> => {
    controller = new AbortController()
    const result = await options.login(controller.signal)
    if (closed) throw new SessionClosedError()
    // An expiry that is not in the future (a skewed server clock) counts as no expiry.
    const expiresAt =
      result.expiresAt !== undefined && result.expiresAt > Date.now()
        ? result.expiresAt
        : Date.now() + ttl
    current = { token: result.token, expiresAt }
    // Refresh on the period, or at half the remaining life when that comes first.
    schedule(Math.max(MIN_DELAY, Math.min(refreshEvery, (expiresAt - Date.now()) / 2)))
    return result.token
  }

  const session: TokenSession = {
    get token() {
      return closed ? undefined : current?.token
    },

    refresh() {
      if (closed) return Promise.reject(new SessionClosedError())
      running ??= login().finally(() => {
        running = undefined
      })
      return running
    },

    async authorize(request) {
      if (closed) throw new SessionClosedError()
      assertSecureTransport(request.url, options.allowInsecure ?? false, 'a session token')
      const token =
        current && current.expiresAt > Date.now() ? current.token : await session.refresh()
      request.headers.set('authorization', `Bearer ${token}`)
    },

    async challenge(request, response) {
      if (closed || response.status !== 401) return false
      const sent = request.headers.get('authorization')
      // Another request may have logged in again meanwhile: then just resend.
      if (current && sent !== `Bearer ${current.token}`) return true
      await session.refresh()
      return true
    },

    close() {
      closed = true
      clearTimeout(timer)
      controller?.abort(new SessionClosedError())
      current = undefined
    },
  }
  return redacted(session, 'tokenSession', { ttl, refreshEvery }, ['token'])
}
