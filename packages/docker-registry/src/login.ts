import { basicAuth, parseWWWAuthenticate, registryTokenAuth } from '@wharf/auth'
import { HttpError, type HttpResponse, redactUrl } from '@wharf/core-http'
import { type AuthConfig, credentialsOf } from './auth-config.js'
import { type APIVersion, createEndpoint, type Endpoint, type EndpointOptions } from './endpoint.js'
import { LoginError } from './errors.js'
import { dockerHttpClient } from './http.js'
import { INDEX_SERVER, isHubAddress } from './hub.js'

/** Options of {@link login}. */
export interface LoginOptions extends EndpointOptions {
  /** Send credentials over plain HTTP to a non-loopback host (default false). */
  allowInsecure?: boolean
  signal?: AbortSignal
}

/** A successful login. */
export interface LoginResult {
  /** `Login Succeeded`, as Docker reports it. */
  status: 'Login Succeeded'
  /** The API version the login went through. */
  version: APIVersion
  /** The address the credentials belong to (`https://index.docker.io/v1/` for Hub, else `host[:port]`). */
  serverAddress: string
  /** A refresh token the realm handed out (store it instead of the password). */
  identityToken?: string
}

const TOKEN_LIMIT = 128 * 1024

function unauthorized(
  where: string,
  response: { status: number; statusText?: string },
  detail = '',
): LoginError {
  const status = `${response.status}${response.statusText ? ` ${response.statusText}` : ''}`
  return new LoginError(
    response.status === 403
      ? 'ERR_LOGIN_INACTIVE'
      : response.status === 401
        ? 'ERR_LOGIN_UNAUTHORIZED'
        : 'ERR_LOGIN',
    `login attempt to ${where} failed with status: ${status}${detail ? ` (${detail})` : ''}`,
    response.status,
  )
}

async function asLoginError(
  where: string,
  run: () => Promise<HttpResponse>,
): Promise<HttpResponse> {
  try {
    return await run()
  } catch (error) {
    if (error instanceof HttpError) throw unauthorized(where, error, error.errors[0]?.message)
    throw error
  }
}

/** The address credentials are stored under: Hub's index URL, else `host[:port]`. */
function serverAddressOf(address: string): string {
  return isHubAddress(address)
    ? INDEX_SERVER
    : address.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/.*$/, '')
}

/** V1: `GET <index>/users/` with Basic credentials. */
async function loginV1(
  endpoint: Endpoint,
  config: AuthConfig,
  options: LoginOptions,
): Promise<void> {
  const creds = credentialsOf(config)
  const url = new URL('users/', endpoint.indexUrl)
  if (!creds)
    throw new LoginError(
      'ERR_LOGIN_UNAUTHORIZED',
      `login to ${redactUrl(url)} needs a username and password`,
      0,
    )
  const client = dockerHttpClient(url.origin, {
    ...options,
    auth: basicAuth({ ...creds, allowInsecure: !!options.allowInsecure }),
  })
  const response = await asLoginError(redactUrl(url), () =>
    client.request(url, { failFast: true, ...(options.signal ? { signal: options.signal } : {}) }),
  )
  await response.discard()
}

/**
 * V2 with a Bearer challenge and a password: Docker's token GET with `offline_token=true`
 * and `client_id=docker`; a `refresh_token` in the answer is the identity token.
 */
async function bearerLogin(
  endpoint: Endpoint,
  challenge: Record<string, string>,
  creds: { username: string; password: string },
  options: LoginOptions,
): Promise<{ token: string; identityToken?: string }> {
  let realm: URL
  try {
    realm = new URL(challenge.realm!, endpoint.url)
  } catch {
    throw new LoginError(
      'ERR_LOGIN',
      `${redactUrl(endpoint.url)} sent a token realm that is not a URL`,
      0,
    )
  }
  if (realm.protocol !== 'http:' && realm.protocol !== 'https:') {
    throw new LoginError('ERR_LOGIN', `refusing a ${realm.protocol} token realm`, 0)
  }
  const client = dockerHttpClient(realm.origin, {
    ...options,
    auth: basicAuth({ ...creds, allowInsecure: !!options.allowInsecure }),
  })
  const where = redactUrl(new URL(realm.pathname, realm.origin))
  const response = await asLoginError(where, () =>
    client.request(realm, {
      searchParams: {
        account: creds.username,
        client_id: 'docker',
        offline_token: 'true',
        service: challenge.service,
      },
      failFast: true,
      ...(options.signal ? { signal: options.signal } : {}),
    }),
  )
  const body = await response
    .json<Record<string, unknown>>({ limit: TOKEN_LIMIT })
    .catch(() => undefined)
  const token = typeof body?.token === 'string' && body.token ? body.token : body?.access_token
  if (typeof token !== 'string' || !token) {
    throw new LoginError(
      'ERR_LOGIN',
      `the token server at ${where} answered no token`,
      response.status,
    )
  }
  const refresh = body?.refresh_token
  return { token, ...(typeof refresh === 'string' && refresh ? { identityToken: refresh } : {}) }
}

/**
 * `docker login`: pings the registry (V2 first, then V1). V2 follows the challenge — Basic, or
 * a Bearer realm asked for a token with the password (an identity token comes back when the
 * realm offers one) or with a stored identity token — and checks `GET /v2/` with it. V1 checks
 * `GET /v1/users/`. Bad credentials are a LoginError; nothing is stored.
 */
export async function login(config: AuthConfig, options: LoginOptions = {}): Promise<LoginResult> {
  const address = config.serverAddress ?? INDEX_SERVER
  const endpoint = createEndpoint(address, options)
  const serverAddress = serverAddressOf(address)
  const info = await endpoint.ping(options.signal ? { signal: options.signal } : {})
  if (info.version === 1) {
    await loginV1(endpoint, config, options)
    return { status: 'Login Succeeded', version: 1, serverAddress }
  }
  const base = new URL('v2/', endpoint.url)
  const where = redactUrl(base)
  const call = { failFast: true, ...(options.signal ? { signal: options.signal } : {}) }
  if (info.status === 200) return { status: 'Login Succeeded', version: 2, serverAddress }
  const challenges = parseWWWAuthenticate(info.headers.get('www-authenticate'))
  const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params.realm)
  const creds = credentialsOf(config)
  if (bearer && !creds && config.identityToken) {
    const client = dockerHttpClient(endpoint.url, {
      ...options,
      auth: registryTokenAuth({
        credentials: { identityToken: config.identityToken },
        clientId: 'docker',
        ...(options.fetch ? { fetch: options.fetch } : {}),
        ...(options.allowInsecure ? { allowInsecureRealm: true } : {}),
      }),
    })
    await (await asLoginError(where, () => client.request(base, call))).discard()
    return {
      status: 'Login Succeeded',
      version: 2,
      serverAddress,
      identityToken: config.identityToken,
    }
  }
  if (!creds)
    throw new LoginError('ERR_LOGIN_UNAUTHORIZED', `login to ${where} needs credentials`, 401)
  if (bearer) {
    const issued = await bearerLogin(endpoint, bearer.params, creds, options)
    const client = dockerHttpClient(endpoint.url, options)
    const headers = { authorization: `Bearer ${issued.token}` }
    await (await asLoginError(where, () => client.request(base, { ...call, headers }))).discard()
    return {
      status: 'Login Succeeded',
      version: 2,
      serverAddress,
      ...(issued.identityToken ? { identityToken: issued.identityToken } : {}),
    }
  }
  if (!challenges.some((c) => c.scheme === 'basic')) {
    throw new LoginError(
      'ERR_LOGIN',
      `${where} asked for an authentication scheme Docker cannot use`,
      401,
    )
  }
  const client = dockerHttpClient(endpoint.url, {
    ...options,
    auth: basicAuth({ ...creds, allowInsecure: !!options.allowInsecure }),
  })
  await (await asLoginError(where, () => client.request(base, call))).discard()
  return { status: 'Login Succeeded', version: 2, serverAddress }
}
