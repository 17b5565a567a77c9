import { basicAuth } from '@wharf/auth'
import type { AuthStrategy, HttpClient } from '@wharf/core-http'
import { type AuthConfig, credentialsOf } from './auth-config.js'
import { createEndpoint, type Endpoint, type EndpointOptions } from './endpoint.js'
import { dockerHttpClient } from './http.js'

/** Options of a session: the credentials and how requests travel. */
export interface SessionOptions extends EndpointOptions {
  /** Credentials for the registry and its index. */
  authConfig?: AuthConfig
  /** Send Basic credentials over plain HTTP to a non-loopback host (default false). */
  allowInsecure?: boolean
}

/** Basic credentials, unless the request already carries an `Authorization` (a V1 token). */
function basicUnlessAuthorized(strategy: AuthStrategy): AuthStrategy {
  return {
    authorize(request) {
      if (!request.headers.has('authorization')) return strategy.authorize(request)
    },
  }
}

/** What V1 and V2 calls share: endpoint, credentials, per-origin clients and V1 cookies. */
export class SessionBase {
  readonly endpoint: Endpoint
  readonly authConfig: AuthConfig
  /** The V1 tokens the index handed out last (`X-Docker-Token`); the default for registry calls. */
  tokens: string[] = []
  protected readonly options: Readonly<SessionOptions>
  readonly #clients = new Map<string, HttpClient>()

  constructor(endpoint: Endpoint | string, options: SessionOptions = {}) {
    this.endpoint = typeof endpoint === 'string' ? createEndpoint(endpoint, options) : endpoint
    this.options = Object.freeze({ ...this.endpoint.options, ...options })
    this.authConfig = { ...options.authConfig }
  }

  /** The credentials of the session; the password (and tokens) only when asked for. */
  getAuthConfig(withPassword = false): AuthConfig {
    if (withPassword) return { ...this.authConfig }
    const {
      password: _p,
      auth: _a,
      identityToken: _i,
      registryToken: _r,
      ...rest
    } = this.authConfig
    const creds = credentialsOf(this.authConfig)
    return { ...rest, ...(creds ? { username: creds.username } : {}) }
  }

  /**
   * A client for one origin. Basic credentials go only to the endpoint's own registry and index
   * origins (never to other hosts the index names); V1 session cookies return to their origin.
   */
  protected clientFor(base: string | URL): HttpClient {
    const url = new URL(String(base))
    const key = url.origin
    let client = this.#clients.get(key)
    if (client) return client
    const own = key === this.endpoint.url.origin || key === this.endpoint.indexUrl.origin
    const creds = own ? credentialsOf(this.authConfig) : undefined
    const jar = new Map<string, string>()
    client = dockerHttpClient(url.origin, {
      ...this.options,
      ...(creds
        ? {
            auth: basicUnlessAuthorized(
              basicAuth({ ...creds, allowInsecure: !!this.options.allowInsecure }),
            ),
          }
        : {}),
    }).extend({
      hooks: {
        beforeRequest: [
          (request) => {
            if (jar.size && request.url.origin === key) {
              request.headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '))
            }
          },
        ],
        afterResponse: [
          (response) => {
            if (new URL(response.url).origin !== key) return
            for (const line of response.headers.getSetCookie()) {
              const m = /^\s*([^=;\s]+)=([^;]*)/.exec(line)
              if (m && jar.size < 32) jar.set(m[1]!, m[2]!)
            }
          },
        ],
      },
    })
    this.#clients.set(key, client)
    return client
  }

  /** Headers and signal of a V1 registry call: `Authorization: Token …` (given tokens, else the session's). */
  protected v1Call(options: { token?: readonly string[]; signal?: AbortSignal }): {
    headers: Record<string, string>
    signal?: AbortSignal
  } {
    const list = options.token ?? this.tokens
    return {
      headers: list.length ? { authorization: `Token ${list.join(',')}` } : {},
      ...(options.signal ? { signal: options.signal } : {}),
    }
  }

  /** Releases the clients' auth strategies. */
  async close(): Promise<void> {
    await Promise.all([...this.#clients.values()].map((c) => c.close()))
    this.#clients.clear()
  }
}
