import {
  type AuthStrategy,
  type FetchLike,
  type HttpResponse,
  type OutgoingRequest,
  redactUrl,
} from '@wharf/core-http'
import { basicHeader } from './base64.js'
import { AuthError } from './errors.js'
import { redacted } from './redact.js'
import { mergeScopes } from './scope.js'
import { type IssuedToken, requestToken } from './token-endpoint.js'
import { assertSecureTransport, isLoopback } from './transport.js'
import { parseWWWAuthenticate } from './www-authenticate.js'

/** Credentials for one registry: a login, an identity (refresh) token, or a ready bearer token. */
export type RegistryCredentials =
  | { username: string; password: string }
  | { identityToken: string }
  | { registryToken: string }

/** Options of {@link registryTokenAuth}. */
export interface RegistryTokenAuthOptions {
  /**
   * Credentials, or a lookup called with the registry's `host[:port]` (at most once per
   * registry while it succeeds). A realm only ever receives the registry's own credentials.
   */
  credentials?:
    | RegistryCredentials
    | ((registry: string) => Promise<RegistryCredentials | undefined>)
  /** The fetch used for token requests (default: the global one). */
  fetch?: FetchLike
  /** Send credentials to a plain-HTTP, non-loopback realm (default false). */
  allowInsecureRealm?: boolean
  /**
   * Send basic credentials, a registry token or a token obtained with credentials to a
   * plain-HTTP, non-loopback registry (default false; anonymous tokens are always allowed).
   */
  allowInsecureRegistry?: boolean
  /** Use the OAuth2 password grant (POST) instead of GET with basic credentials. */
  oauth?: boolean
  /** `client_id` sent in OAuth2 requests (default `wharf`). */
  clientId?: string
  /** Refresh a cached token when it has less than this left, in ms (default 10 000). */
  refreshBefore?: number
  /** Timeout of token requests in ms (default 30 000). */
  timeout?: number
  /** Tokens kept at most (default 256); the oldest are dropped first. */
  maxTokens?: number
  /** Receives one redacted line per token request and response. */
  debug?: (line: string) => void
}

/** A registry token strategy; `scopeFor` builds the `request.context.scopes` it reads. */
export interface RegistryTokenAuth extends AuthStrategy {
  challenge(request: OutgoingRequest, response: HttpResponse): Promise<boolean>
  /** Forgets every cached token and learned challenge. */
  close(): void
}

type Known = { kind: 'bearer'; realm: URL; service?: string } | { kind: 'basic' }

/**
 * The OCI/Docker token flow. On a `401` with `Bearer realm=…,service=…,scope=…` it fetches a
 * token for the union of the challenge's scope and `request.context.scopes`, caches it per
 * (registry, realm, service, scope set) until `expires_in` runs out, and resends once; later
 * requests get a cached or freshly fetched token before they are sent, so long operations
 * never run on an expiring token. A `Basic` challenge falls back to basic credentials.
 * Identity tokens use the OAuth2 `refresh_token` grant; registry tokens are sent as they are.
 */
export function registryTokenAuth(options: RegistryTokenAuthOptions = {}): RegistryTokenAuth {
  const refreshBefore = options.refreshBefore ?? 10_000
  const maxTokens = options.maxTokens ?? 256
  const known = new Map<string, Known>()
  const tokens = new Map<string, IssuedToken>()
  const pending = new Map<string, Promise<IssuedToken>>()
  const credentials = new Map<string, Promise<RegistryCredentials | undefined>>()
  /** Refresh tokens handed out by a realm (rotated or from the password grant), per registry. */
  const refreshTokens = new Map<string, string>()
  /** Scopes a challenge added for an operation, keyed by its context object. */
  const challenged = new WeakMap<object, string>()

  const credentialsFor = (registry: string): Promise<RegistryCredentials | undefined> => {
    const given = options.credentials
    if (typeof given !== 'function') return Promise.resolve(given)
    let found = credentials.get(registry)
    if (!found) {
      found = given(registry)
      credentials.set(registry, found)
      found.catch(() => credentials.delete(registry))
    }
    return found
  }

  const scopesOf = (request: OutgoingRequest): string[] => {
    const own = request.context.scopes
    return mergeScopes(
      Array.isArray(own) ? own.filter((s): s is string => typeof s === 'string') : [],
      challenged.get(request.context),
    )
  }

  const keyOf = (origin: string, k: Known & { kind: 'bearer' }, scopes: string[]) =>
    JSON.stringify([origin, k.realm.href, k.service ?? null, scopes])

  const fetchToken = async (
    url: URL,
    k: Known & { kind: 'bearer' },
    scopes: string[],
    key: string,
  ): Promise<IssuedToken> => {
    const creds = await credentialsFor(url.host)
    // A refresh token the realm rotated (or handed out for the password grant) wins.
    const refreshToken =
      refreshTokens.get(url.origin) ??
      (creds && 'identityToken' in creds ? creds.identityToken : undefined)
    const basic = creds && 'username' in creds ? creds : undefined
    if (basic || refreshToken !== undefined) {
      checkRealm(k.realm, url)
      // A token bought with credentials is a credential too.
      assertSecureTransport(
        url,
        !!options.allowInsecureRegistry,
        'a token obtained with credentials',
      )
    }
    const issued = await requestToken({
      realm: k.realm,
      service: k.service,
      scopes,
      basic,
      refreshToken,
      oauth: options.oauth,
      clientId: options.clientId ?? 'wharf',
      fetch: options.fetch,
      timeout: options.timeout,
      debug: options.debug,
    })
    if (issued.refreshToken) refreshTokens.set(url.origin, issued.refreshToken)
    tokens.delete(key)
    tokens.set(key, issued)
    for (const oldest of tokens.keys()) {
      if (tokens.size <= maxTokens) break
      tokens.delete(oldest)
    }
    return issued
  }

  /** A realm may receive credentials over https, or over http when both ends are loopback. */
  const checkRealm = (realm: URL, registry: URL) => {
    if (realm.protocol === 'http:' && isLoopback(realm) && isLoopback(registry)) return
    if (options.allowInsecureRealm || realm.protocol === 'https:') return
    throw new AuthError(
      'ERR_INSECURE_REALM',
      `refusing to send credentials for ${registry.host} to the plain-HTTP realm ${redactUrl(realm.origin)}; pass allowInsecureRealm: true to allow it`,
    )
  }

  const tokenFor = (url: URL, k: Known & { kind: 'bearer' }, scopes: string[]) => {
    const key = keyOf(url.origin, k, scopes)
    const cached = tokens.get(key)
    if (cached && cached.expiresAt - Date.now() > refreshBefore) return Promise.resolve(cached)
    let running = pending.get(key)
    if (!running) {
      running = fetchToken(url, k, scopes, key).finally(() => pending.delete(key))
      pending.set(key, running)
    }
    return running
  }

  const strategy: RegistryTokenAuth = {
    async authorize(request) {
      const k = known.get(request.url.origin)
      if (k?.kind === 'bearer') {
        const issued = await tokenFor(request.url, k, scopesOf(request))
        request.headers.set('authorization', `Bearer ${issued.token}`)
        return
      }
      const creds = await credentialsFor(request.url.host)
      if (creds && 'registryToken' in creds) {
        assertSecureTransport(request.url, !!options.allowInsecureRegistry, 'a registry token')
        request.headers.set('authorization', `Bearer ${creds.registryToken}`)
      } else if (k?.kind === 'basic' && creds && 'username' in creds) {
        assertSecureTransport(request.url, !!options.allowInsecureRegistry, 'basic credentials')
        request.headers.set('authorization', basicHeader(creds.username, creds.password))
      }
    },

    async challenge(request, response) {
      if (response.status !== 401) return false
      const challenges = parseWWWAuthenticate(response.headers.get('www-authenticate'))
      const sent = request.headers.get('authorization')
      const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params.realm)
      if (bearer) {
        const creds = await credentialsFor(request.url.host)
        if (creds && 'registryToken' in creds) return false
        const k: Known = {
          kind: 'bearer',
          realm: realmUrl(bearer.params.realm!, request.url),
          service: bearer.params.service,
        }
        known.set(request.url.origin, k)
        if (bearer.params.scope) challenged.set(request.context, bearer.params.scope)
        const key = keyOf(request.url.origin, k, scopesOf(request))
        const cached = tokens.get(key)
        if (cached && sent === `Bearer ${cached.token}`) tokens.delete(key) // rejected: expired or revoked
        await tokenFor(request.url, k, scopesOf(request))
        return true
      }
      if (challenges.some((c) => c.scheme === 'basic')) {
        const creds = await credentialsFor(request.url.host)
        if (!creds || !('username' in creds)) return false
        if (sent === basicHeader(creds.username, creds.password)) return false
        assertSecureTransport(request.url, !!options.allowInsecureRegistry, 'basic credentials')
        known.set(request.url.origin, { kind: 'basic' })
        return true
      }
      return false
    },

    close() {
      known.clear()
      tokens.clear()
      credentials.clear()
      refreshTokens.clear()
    },
  }
  return redacted(strategy, 'registryTokenAuth', {}, ['credentials'])
}

/** Resolves a challenge's realm against the request URL; only http(s) realms are accepted. */
function realmUrl(realm: string, base: URL): URL {
  let url: URL
  try {
    url = new URL(realm, base)
  } catch {
    throw new AuthError('ERR_INVALID_REALM', 'the registry sent a token realm that is not a URL')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AuthError(
      'ERR_INVALID_REALM',
      `refusing a token realm with the ${url.protocol} scheme: realms must be http(s)`,
    )
  }
  if (url.username || url.password) {
    throw new AuthError('ERR_INVALID_REALM', 'refusing a token realm that carries credentials')
  }
  url.hash = ''
  return url
}
