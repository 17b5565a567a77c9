import { parseBasic, randomHex, v1Error } from './http.js'
import type { MockState } from './state.js'

/** How the V1 side authenticates: standalone registries take Basic, others index tokens. */
export interface V1AuthOptions {
  standalone: boolean
}

/** Tokens and session cookies kept at most; the oldest are forgotten first. */
const MAX_ISSUED = 10_000

/** Result of checking Basic credentials. */
export type BasicCheck =
  | { kind: 'none' }
  | { kind: 'invalid' }
  | { kind: 'inactive' }
  | { kind: 'user'; username: string }

/** Checks `Authorization: Basic` against the mock's users. */
export function checkBasic(state: MockState, request: Request): BasicCheck {
  const header = request.headers.get('authorization')
  if (!header) return { kind: 'none' }
  const creds = parseBasic(header)
  if (!creds) return { kind: header.startsWith('Token ') ? 'none' : 'invalid' }
  const user = state.users.get(creds.username)
  if (!user || user.password !== creds.password) return { kind: 'invalid' }
  if (user.active === false) return { kind: 'inactive' }
  return { kind: 'user', username: creds.username }
}

/** A 401 / 403 answer for a failed Basic check, or undefined when a user was found. */
export function basicFailure(check: BasicCheck): Response | undefined {
  if (check.kind === 'user') return undefined
  if (check.kind === 'inactive') return v1Error(403, 'Account is not Active')
  return v1Error(401, check.kind === 'none' ? 'Authentication required' : 'Wrong login/password', {
    'www-authenticate': 'Basic realm="auth required",Token',
  })
}

/** Issues an index token: the `X-Docker-Token` header value. */
export function issueToken(state: MockState, repository: string, access: 'read' | 'write'): string {
  const signature = randomHex(12)
  if (state.tokens.size >= MAX_ISSUED) state.tokens.delete(state.tokens.keys().next().value!)
  state.tokens.set(signature, { repository, access })
  return `signature=${signature},repository="${repository}",access=${access}`
}

function parseTokenHeader(header: string | null): string[] {
  const m = /^Token\s+(.*)$/i.exec(header ?? '')
  if (!m) return []
  return [...m[1]!.matchAll(/signature=([^,\s]+)/g)].map((x) => x[1]!)
}

/**
 * Authorizes a registry request: an index token (`Authorization: Token …`), a session cookie
 * handed out after one, or, on a standalone registry, Basic (anonymous reads allowed, anonymous
 * writes only when no users are configured). Returns the headers to add, or a 401 response.
 */
export function authorizeRegistry(
  state: MockState,
  request: Request,
  options: V1AuthOptions,
  need: { access: 'read' | 'write'; repository?: string },
): { headers: Headers } | Response {
  const headers = new Headers()
  const cookie = /(?:^|;\s*)session=([a-f0-9]+)/.exec(request.headers.get('cookie') ?? '')?.[1]
  if (cookie && state.sessions.has(cookie)) return { headers }
  for (const signature of parseTokenHeader(request.headers.get('authorization'))) {
    const token = state.tokens.get(signature)
    if (!token) continue
    if (need.access === 'write' && token.access !== 'write') continue
    if (need.repository && token.repository !== need.repository) continue
    const session = randomHex(12)
    if (state.sessions.size >= MAX_ISSUED)
      state.sessions.delete(state.sessions.values().next().value!)
    state.sessions.add(session)
    headers.set('set-cookie', `session=${session}; Path=/; HttpOnly`)
    return { headers }
  }
  if (options.standalone) {
    const basic = checkBasic(state, request)
    const anonymous = basic.kind === 'none' && (state.users.size === 0 || need.access === 'read')
    if (basic.kind === 'user' || anonymous) return { headers }
    if (basic.kind === 'inactive') return v1Error(403, 'Account is not Active')
  }
  return v1Error(401, 'Requires authorization', { 'www-authenticate': 'Token' })
}
