import { empty, MockError } from './reply.js'

/** A user the fake knows, with the password it checks. */
export interface MockUser {
  password: string
}

/** An issued token. */
export interface MockToken {
  user: string
  expiresAt: number
}

/** What authenticated a request. */
export interface Principal {
  user: string
  via: 'basic' | 'bearer'
}

const WWW = { 'www-authenticate': 'dr-provision' }

function decodeBase64(text: string): string | undefined {
  try {
    return atob(text)
  } catch {
    return undefined
  }
}

/** Token issuing and credential checks following the 401/403 table of §2.1. */
export class Auth {
  readonly users = new Map<string, MockUser>()
  readonly tokens = new Map<string, MockToken>()
  readonly #now: () => number
  readonly #newToken: () => string

  constructor(now: () => number, newToken: () => string) {
    this.#now = now
    this.#newToken = newToken
  }

  /** Issues a token for `user` valid for `ttlSeconds`. */
  issue(user: string, ttlSeconds: number): string {
    const token = this.#newToken()
    this.tokens.set(token, { user, expiresAt: this.#now() + ttlSeconds * 1000 })
    return token
  }

  /** Revokes every token of a user (password change). */
  revoke(user: string): void {
    for (const [t, v] of this.tokens) if (v.user === user) this.tokens.delete(t)
  }

  /** The principal of a request, or the empty 401/403 response to send. */
  check(request: Request): Principal | Response {
    let header = request.headers.get('authorization')
    if (header === null) {
      const query = new URL(request.url).searchParams.get('token')
      if (query === null) return empty(401, WWW)
      header = query.includes(':') ? `Basic ${btoa(query)}` : `Bearer ${query}`
    }
    const space = header.indexOf(' ')
    const scheme = space < 0 ? header : header.slice(0, space)
    const value = space < 0 ? '' : header.slice(space + 1).trim()
    if (scheme === 'Basic') {
      const pair = decodeBase64(value)
      const colon = pair?.indexOf(':') ?? -1
      if (pair === undefined || colon < 0) return empty(401, WWW)
      const user = pair.slice(0, colon)
      if (this.users.get(user)?.password !== pair.slice(colon + 1)) return empty(403)
      return { user, via: 'basic' }
    }
    if (scheme === 'Bearer') {
      const token = this.tokens.get(value)
      if (!token || token.expiresAt <= this.#now() || !this.users.has(token.user)) {
        return empty(403, WWW)
      }
      return { user: token.user, via: 'bearer' }
    }
    return empty(401, WWW)
  }

  /** `ttl` query value in seconds (default 3600); 400 when not an integer. */
  ttl(raw: string | null, name: string): number {
    if (raw === null) return 3600
    if (!/^-?\d+$/.test(raw)) {
      throw new MockError(
        400,
        'GET',
        `strconv.ParseInt: parsing ${JSON.stringify(raw)}: invalid syntax`,
        'users',
        name,
      )
    }
    return Number(raw)
  }
}
