import {
  createHttpClient,
  type FetchLike,
  HttpError,
  isHttpError,
  redactUrl,
} from '@wharf/core-http'
import { basicHeader } from './base64.js'
import { AuthError } from './errors.js'
import { VERSION } from './version.js'

/** Largest token response read (128 KiB). */
export const TOKEN_RESPONSE_LIMIT = 128 * 1024
/** Lifetime assumed when a token server sends none, and the least it may claim (seconds). */
const MIN_EXPIRES_IN = 60

/** What one token request sends: where, for what, with which grant. */
export interface TokenRequest {
  realm: URL
  service?: string
  scopes: readonly string[]
  /** Basic credentials for the GET flow, or for the password grant when `oauth` is set. */
  basic?: { username: string; password: string }
  /** A refresh (identity) token: uses the OAuth2 POST `refresh_token` grant. */
  refreshToken?: string
  /** Use the OAuth2 POST `password` grant (asking for a refresh token) instead of GET. */
  oauth?: boolean
  clientId: string
  fetch?: FetchLike
  timeout?: number
  /** Receives core-http's redacted request/response lines. */
  debug?: (line: string) => void
}

/** A token as the realm issued it. */
export interface IssuedToken {
  token: string
  /** Epoch ms after which the token must not be used. */
  expiresAt: number
  /** A refresh token to use for later requests, when the server sent one. */
  refreshToken?: string
}

const TOKEN_TEXT = /^[\x21-\x7e]{1,16384}$/

/** Fetches a token from a realm (GET or OAuth2 POST), bounded and validated. */
export async function requestToken(req: TokenRequest): Promise<IssuedToken> {
  const where = redactUrl(new URL(req.realm.pathname, req.realm.origin))
  const client = createHttpClient({
    baseUrl: req.realm,
    fetch: req.fetch,
    userAgent: `wharf-auth/${VERSION}`,
    timeout: req.timeout ?? 30_000,
    retry: { limit: 1 },
    bodyLimit: TOKEN_RESPONSE_LIMIT,
    errorBodyLimit: 4096,
    debug: req.debug,
  })
  const post = req.refreshToken !== undefined || (req.oauth === true && req.basic !== undefined)
  const get = () =>
    client.request(req.realm, {
      headers: req.basic
        ? { authorization: basicHeader(req.basic.username, req.basic.password) }
        : {},
      searchParams: {
        service: req.service,
        scope: req.scopes.length ? [...req.scopes] : undefined,
        account: req.basic?.username,
      },
    })
  let body: unknown
  try {
    const response = post
      ? await client
          .request(req.realm, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: formFor(req).toString(),
          })
          .catch((error: unknown) => {
            // Token servers without the OAuth2 endpoint: the password grant falls back to GET.
            if (
              isHttpError(error) &&
              (error.status === 404 || error.status === 405) &&
              req.refreshToken === undefined
            ) {
              return get()
            }
            throw error
          })
      : await get()
    body = await response.json()
  } catch (error) {
    if (error instanceof HttpError) {
      throw new AuthError(
        'ERR_TOKEN',
        `token request to ${where} failed: ${error.status} ${error.statusText}`.trim(),
        {
          cause: error,
        },
      )
    }
    throw error
  }
  return parseTokenResponse(body, where)
}

function formFor(req: TokenRequest): URLSearchParams {
  const form = new URLSearchParams()
  if (req.refreshToken !== undefined) {
    form.set('grant_type', 'refresh_token')
    form.set('refresh_token', req.refreshToken)
  } else {
    form.set('grant_type', 'password')
    form.set('username', req.basic!.username)
    form.set('password', req.basic!.password)
    form.set('access_type', 'offline')
  }
  if (req.service !== undefined) form.set('service', req.service)
  form.set('client_id', req.clientId)
  form.set('scope', req.scopes.join(' '))
  return form
}

function parseTokenResponse(body: unknown, where: string): IssuedToken {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>
  const token = typeof b.access_token === 'string' && b.access_token ? b.access_token : b.token
  if (typeof token !== 'string' || !TOKEN_TEXT.test(token)) {
    throw new AuthError('ERR_TOKEN', `token response from ${where} holds no usable token`)
  }
  const seconds =
    typeof b.expires_in === 'number' && Number.isFinite(b.expires_in)
      ? Math.max(b.expires_in, MIN_EXPIRES_IN)
      : MIN_EXPIRES_IN
  const refresh =
    typeof b.refresh_token === 'string' && TOKEN_TEXT.test(b.refresh_token)
      ? b.refresh_token
      : undefined
  return {
    token,
    expiresAt: Date.now() + seconds * 1000,
    ...(refresh === undefined ? {} : { refreshToken: refresh }),
  }
}
