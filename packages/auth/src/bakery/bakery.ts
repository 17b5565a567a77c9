import type { AuthStrategy, FetchLike, HttpResponse, OutgoingRequest } from '@wharf/core-http'
import { AuthError } from '../errors.js'
import { redacted } from '../redact.js'
import { assertSecureTransport } from '../transport.js'
import { parseWWWAuthenticate } from '../www-authenticate.js'
import { type BakeryErrorBody, dischargeAll } from './discharge.js'
import { type CookieJar, memoryJar } from './jar.js'
import { decodeMacaroon, earliestExpiry, encodeSlice, hex } from './macaroons.js'

/** Options of {@link bakeryAuth}. */
export interface BakeryAuthOptions {
  /** The fetch used for discharge requests (default: the global one). */
  fetch?: FetchLike
  /**
   * Called with the visit URL when a discharger needs a human to log in (open a browser, print
   * it); the discharge continues after it resolves. Without it such a discharge fails with
   * `InteractionRequiredError`.
   */
  interact?: (visitUrl: string) => Promise<void>
  /** Where discharged macaroons are kept (default: a new in-memory jar). */
  jar?: CookieJar
  /** Allow macaroons and discharge requests over plain HTTP to non-loopback hosts. */
  allowInsecure?: boolean
  /** Timeout of discharge requests in ms (default 30 000). */
  timeout?: number
  /** How long to wait for a human to finish logging in, in ms (default 300 000). */
  waitTimeout?: number
}

const DISCHARGE_REQUIRED = 'macaroon discharge required'
/** Largest bakery error body read. */
const ERROR_LIMIT = 64 * 1024

/** RFC 6265 default-path: the request path up to its last `/`, or `/`. */
function defaultPath(url: URL): string {
  const cut = url.pathname.lastIndexOf('/')
  return cut <= 0 ? '/' : url.pathname.slice(0, cut)
}

/** True for the bakery's discharge-required forms: 407, or 401 with a Macaroon challenge. */
function isBakeryChallenge(response: HttpResponse): boolean {
  const type = response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase()
  if (type !== 'application/json') return false
  if (response.status === 407) return true
  return (
    response.status === 401 &&
    parseWWWAuthenticate(response.headers.get('www-authenticate')).some(
      (c) => c.scheme === 'macaroon',
    )
  )
}

/**
 * A macaroon-bakery (httpbakery) client, as the charm store needs: sends
 * `Bakery-Protocol-Version: 3` and the stored macaroon cookies; on a discharge-required answer
 * (401 + `WWW-Authenticate: Macaroon`, or 407) it decodes the macaroon, discharges its
 * third-party caveats at their locations (interacting when a discharger asks for a login),
 * binds the discharges, stores the slice as a `macaroon-*` cookie for the origin and resends.
 */
export function bakeryAuth(options: BakeryAuthOptions = {}): AuthStrategy {
  const jar = options.jar ?? memoryJar()
  const inflight = new Map<string, Promise<void>>()
  const strategy: AuthStrategy = {
    async authorize(request: OutgoingRequest) {
      request.headers.set('bakery-protocol-version', '3')
      const cookies = await jar.get(request.url)
      if (!cookies.length) return
      assertSecureTransport(request.url, options.allowInsecure ?? false, 'macaroons')
      const pairs = cookies.map((c) => `${c.name}=${c.value}`)
      const existing = request.headers.get('cookie')
      request.headers.set('cookie', [existing, ...pairs].filter(Boolean).join('; '))
    },

    async challenge(request: OutgoingRequest, response: HttpResponse) {
      if (!isBakeryChallenge(response)) return false
      let body: BakeryErrorBody
      try {
        body = (await response.json({ limit: ERROR_LIMIT })) as BakeryErrorBody
      } catch (error) {
        throw new AuthError('ERR_BAKERY', `${response.status}: unreadable bakery error body`, {
          cause: error,
        })
      }
      if (typeof body !== 'object' || body === null) body = {}
      if (body.Code !== DISCHARGE_REQUIRED) {
        throw new AuthError(
          'ERR_BAKERY',
          `${response.status} ${String(body.Code ?? 'no code')}: ${String(body.Message ?? '')}`.trim(),
        )
      }
      const info = (typeof body.Info === 'object' && body.Info) || {}
      const suffix =
        typeof info.CookieNameSuffix === 'string' && /^[\w-]+$/.test(info.CookieNameSuffix)
          ? info.CookieNameSuffix
          : undefined
      const path =
        typeof info.MacaroonPath === 'string' && info.MacaroonPath
          ? new URL(info.MacaroonPath, request.url).pathname
          : defaultPath(request.url)
      // Concurrent requests refused for the same cookie share one discharge (and one login).
      const key = suffix === undefined ? undefined : `${request.url.origin} ${path} ${suffix}`
      const running = key === undefined ? undefined : inflight.get(key)
      if (running) {
        await running
        return true
      }
      const discharge = (async () => {
        const { macaroon: primary, caveatData } = decodeMacaroon(
          info.Macaroon,
          'the discharge-required error',
        )
        const discharges = await dischargeAll(primary, caveatData, options)
        const slice = [primary, ...discharges]
        await jar.set(request.url, {
          name: `macaroon-${suffix ?? hex(primary.signature)}`,
          value: encodeSlice(slice),
          path,
          expires: earliestExpiry(slice),
        })
      })()
      if (key !== undefined) {
        inflight.set(key, discharge)
        const forget = () => inflight.delete(key)
        discharge.then(forget, forget)
      }
      await discharge
      return true
    },
  }
  return redacted(strategy, 'bakeryAuth', {}, ['jar'])
}
