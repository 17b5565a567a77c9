/** A macaroon cookie as the bakery stores it. */
export interface BakeryCookie {
  name: string
  /** Padded standard base64 of the macaroon slice JSON. */
  value: string
  /** Path the cookie applies to (RFC 6265 path matching). */
  path: string
  /** Epoch ms after which it is dropped; undefined for no expiry. */
  expires?: number
}

/** Where `bakeryAuth` keeps discharged macaroons; cookies are bound to an origin. */
export interface CookieJar {
  /** The live cookies for a request to `url` (same origin, matching path). */
  get(url: URL): BakeryCookie[] | Promise<BakeryCookie[]>
  /** Stores (or replaces, by name and path) a cookie for `url`'s origin. */
  set(url: URL, cookie: BakeryCookie): void | Promise<void>
}

/** RFC 6265 §5.1.4 path-match. */
function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true
  if (!requestPath.startsWith(cookiePath)) return false
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/'
}

/** An in-memory cookie jar, per origin, holding at most `limit` cookies per origin. */
export function memoryJar(limit = 64): CookieJar {
  const origins = new Map<string, Map<string, BakeryCookie>>()
  return {
    get(url) {
      const now = Date.now()
      const cookies = origins.get(url.origin)
      if (!cookies) return []
      const live: BakeryCookie[] = []
      for (const [key, cookie] of cookies) {
        if (cookie.expires !== undefined && cookie.expires <= now) cookies.delete(key)
        else if (pathMatches(url.pathname, cookie.path)) live.push(cookie)
      }
      // Longer paths first, as browsers send them.
      return live.sort((a, b) => b.path.length - a.path.length)
    },
    set(url, cookie) {
      const cookies = origins.get(url.origin) ?? new Map<string, BakeryCookie>()
      origins.set(url.origin, cookies)
      const key = `${cookie.name}\n${cookie.path}`
      cookies.delete(key)
      cookies.set(key, cookie)
      for (const oldest of cookies.keys()) {
        if (cookies.size <= limit) break
        cookies.delete(oldest)
      }
    },
  }
}
