import { basicAuth, bearerToken, SessionClosedError, tokenSession } from '@wharf/auth'
import {
  type AuthStrategy,
  type ClientOptions,
  createHttpClient,
  type FetchLike,
  type Hooks,
  HttpError,
  ParseError,
  type RetryPolicy,
} from '@wharf/core-http'
import { parseErrorEntries, toProvisionError } from './errors.js'
import type { UserToken } from './models.js'
import { apiPath } from './paths.js'
import { VERSION } from './version.js'

/** Options shared by both session kinds. */
export interface SessionOptions {
  /** A fetch implementation (on Node, `createNodeFetch({ insecure: true })` for self-signed certs). */
  fetch?: FetchLike
  /** Aborts every request of the session. */
  signal?: AbortSignal
  /** Wait for response headers, in ms (default 30 000). */
  timeout?: number | false
  /**
   * Overrides of the retry policy. The default retries refused or reset connections with
   * fibonacci waits of 1, 1, 2, 3, 5, 8 s and never retries HTTP statuses.
   */
  retry?: Partial<RetryPolicy>
  /** Extra core-http hooks. */
  hooks?: Hooks
  /** Allow credentials over plain HTTP to a non-loopback host (default false). */
  allowInsecure?: boolean
  /** Receives one redacted line per request and response. */
  debug?: (line: string) => void
}

/** Options of {@link userSession}. */
export interface UserSessionOptions extends SessionOptions {
  /** Token lifetime asked for, in ms (default 600 000). */
  ttl?: number
  /** Refresh period, in ms (default 300 000). */
  refreshEvery?: number
  /** Called when a refresh fails with both the token and the password (it is retried later). */
  onRefreshError?: (error: unknown) => void
}

/** The seed's retry schedule: transport failures only, 6 retries, waits 1, 1, 2, 3, 5, 8 s. */
export const PROVISION_RETRY: Readonly<Partial<RetryPolicy>> = Object.freeze({
  limit: 6,
  backoff: 'fibonacci',
  delay: 1000,
  maxDelay: 60_000,
  statusCodes: [],
  networkErrors: true,
  methods: ['GET', 'HEAD', 'PUT', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
})

/** A token source with a closable refresher: what the client needs from a session. */
export interface Credentials {
  readonly auth: AuthStrategy
  readonly token: string
  close(): void
}

/** The core-http options every provision client uses. */
export function httpOptions(
  endpoint: string,
  auth: AuthStrategy,
  options: SessionOptions,
): ClientOptions {
  return {
    baseUrl: endpoint,
    userAgent: `wharf-provision/${VERSION}`,
    auth,
    retry: { ...PROVISION_RETRY, ...options.retry },
    errorParser: parseErrorEntries,
    hooks: {
      ...options.hooks,
      onError: [
        (error) => (error instanceof HttpError ? toProvisionError(error) : undefined),
        ...(options.hooks?.onError ?? []),
      ],
    },
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
    ...(options.debug ? { debug: options.debug } : {}),
  }
}

/** A fixed bearer token (no refresh, no request at creation). */
export function fixedToken(token: string, options: SessionOptions): Credentials {
  let closed = false
  const inner = bearerToken(token, { allowInsecure: options.allowInsecure ?? false })
  return {
    auth: {
      authorize(request) {
        if (closed) throw new SessionClosedError()
        return inner.authorize(request)
      },
    },
    token,
    close: () => {
      closed = true
    },
  }
}

/**
 * Logs in with basic auth to get a token (auth's `tokenSession`), then refreshes it in the
 * background every `refreshEvery` ms with the current token, falling back to basic auth once.
 */
export async function refreshingToken(
  endpoint: string,
  username: string,
  password: string,
  options: UserSessionOptions,
): Promise<Credentials> {
  const allowInsecure = options.allowInsecure ?? false
  const ttl = options.ttl ?? 600_000
  const path = apiPath('users', username, 'token')
  const searchParams = { ttl: String(Math.round(ttl / 1000)) }
  const viaBasic = createHttpClient(
    httpOptions(endpoint, basicAuth({ username, password, allowInsecure }), options),
  )
  const ask = async (client: ReturnType<typeof createHttpClient>, signal?: AbortSignal) => {
    const answer = await client.json<UserToken | null>(path, {
      searchParams,
      failFast: true,
      ...(signal ? { signal } : {}),
    })
    if (typeof answer?.Token !== 'string' || answer.Token === '') {
      throw new ParseError(`GET ${path}`, 'the answer has no Token')
    }
    return answer.Token
  }
  let last: string | undefined
  const session = tokenSession({
    ttl,
    refreshEvery: options.refreshEvery ?? 300_000,
    allowInsecure,
    login: async (signal) => {
      if (last !== undefined) {
        const viaToken = createHttpClient(
          httpOptions(endpoint, bearerToken(last, { allowInsecure }), options),
        )
        try {
          last = await ask(viaToken, signal)
          return { token: last }
        } catch {
          // Fall back to the password once, as the seed does.
        }
      }
      try {
        last = await ask(viaBasic, signal)
      } catch (error) {
        if (last !== undefined) options.onRefreshError?.(error)
        throw error
      }
      return { token: last }
    },
  })
  await session.refresh()
  return {
    auth: session,
    get token() {
      return session.token ?? ''
    },
    close: () => session.close(),
  }
}
