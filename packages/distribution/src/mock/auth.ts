import { concat, readBody } from './body.js'
import { entry, errorResponse } from './errors.js'
import type { AccessPolicy, ResolvedOptions, ScopeResource } from './options.js'

/** Access one request needs: actions on a resource. */
export interface Need extends ScopeResource {
  actions: string[]
}

/** What an authenticated caller may do (used for mount sources). */
export interface Access {
  can(resource: ScopeResource, action: string): boolean
}

interface Grant {
  username: string | undefined
  access: Map<string, Set<string>>
  expiresAt: number
}

const ALL_ACTIONS = ['pull', 'push', 'delete', '*']
const allowAll: AccessPolicy = () => ALL_ACTIONS
const FULL_ACCESS: Access = { can: () => true }
const MAX_TOKENS = 10_000
const key = (r: ScopeResource) => `${r.type}:${r.name}`
const quote = (value: string) => `"${value.replace(/["\\]/g, '\\$&')}"`

/** Formats needs as a scope string: `repository:a:pull,push registry:catalog:*`. */
export function formatScope(needs: Need[]): string {
  return needs.map((n) => `${key(n)}:${n.actions.join(',')}`).join(' ')
}

/** Parses one resource scope; the name may hold a `:port`, so split at the first and last `:`. */
export function parseScope(scope: string): Need | undefined {
  const first = scope.indexOf(':')
  const last = scope.lastIndexOf(':')
  if (first <= 0 || last === first) return undefined
  const type = scope.slice(0, first).replace(/\(.*\)$/, '')
  const name = scope.slice(first + 1, last)
  const actions = scope
    .slice(last + 1)
    .split(',')
    .filter((a) => a !== '')
  return name ? { type, name, actions } : undefined
}

function basicCredentials(request: Request): { username: string; password: string } | undefined {
  const header = request.headers.get('authorization') ?? ''
  const match = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header)
  if (!match) return undefined
  let decoded: string
  try {
    decoded = new TextDecoder().decode(Uint8Array.from(atob(match[1]!), (c) => c.charCodeAt(0)))
  } catch {
    return undefined
  }
  const colon = decoded.indexOf(':')
  if (colon < 0) return undefined
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}

function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24))
  return btoa(String.fromCharCode(...bytes)).replace(/[+/=]/g, (c) =>
    c === '+' ? '-' : c === '/' ? '_' : '',
  )
}

/**
 * The mock's authentication: Basic credentials, or Bearer tokens from its own token endpoint
 * (`<origin>/token`, GET and the OAuth2 POST form), scoped per `repository:<name>:<actions>`.
 */
export class Authenticator {
  private readonly tokens = new Map<string, Grant>()
  private readonly refreshTokens = new Map<string, string | undefined>()

  constructor(private readonly options: ResolvedOptions) {}

  private get policy(): AccessPolicy {
    const auth = this.options.auth
    return (auth.type !== 'none' && auth.policy) || allowAll
  }

  private get service(): string {
    const auth = this.options.auth
    return (auth.type === 'token' && auth.service) || new URL(this.options.origin).host
  }

  /** True when callers must identify themselves (an anonymous caller is not the user). */
  private get requiresLogin(): boolean {
    const auth = this.options.auth
    return auth.type !== 'none' && auth.username !== undefined
  }

  /** Actions a caller may take; anonymous callers of a private registry pull at most. */
  private actions(resource: ScopeResource, username: string | undefined): string[] {
    const auth = this.options.auth
    const allowed = this.policy(resource, username)
    if (username !== undefined || !this.requiresLogin || auth.type === 'none') return allowed
    const pull = allowed.includes('pull') || allowed.includes('*')
    return auth.anonymousPull && resource.type === 'repository' && pull ? ['pull'] : []
  }

  private allowed(need: Need, username: string | undefined): boolean {
    const allowed = this.actions(need, username)
    return need.actions.every((a) => allowed.includes(a) || allowed.includes('*'))
  }

  /** Forgets every token issued. */
  clear(): void {
    this.tokens.clear()
    this.refreshTokens.clear()
  }

  /**
   * Checks a registry request needing `needs` (empty: any authenticated caller). `wanted` is
   * access the request may use but does not require (a mount's source): it is named in
   * challenges so clients ask for it. Returns what the caller may do, or the 401/403 answer.
   */
  check(request: Request, needs: Need[], wanted: Need[] = []): Access | Response {
    const auth = this.options.auth
    if (auth.type === 'none') return FULL_ACCESS
    if (auth.type === 'basic') {
      const given = basicCredentials(request)
      const username = request.headers.has('authorization') ? auth.username : undefined
      const can: Access['can'] = (resource, action) =>
        this.allowed({ ...resource, actions: [action] }, username)
      if (
        username === undefined &&
        needs.length &&
        needs.every((n) => this.allowed(n, undefined))
      ) {
        return { can }
      }
      if (given?.username !== auth.username || given.password !== auth.password) {
        return this.unauthorized(needs, 'Basic realm="wharf-mock"')
      }
      const denied = needs.find((n) => !this.allowed(n, username))
      return denied ? this.denied(denied) : { can }
    }
    const realm = `${new URL(request.url).origin}/token`
    const challenge = (error?: string) =>
      [
        `Bearer realm=${quote(realm)}`,
        `service=${quote(this.service)}`,
        ...(needs.length ? [`scope=${quote(formatScope([...needs, ...wanted]))}`] : []),
        ...(error ? [`error=${quote(error)}`] : []),
      ].join(',')
    const bearer = /^bearer\s+(\S+)\s*$/i.exec(request.headers.get('authorization') ?? '')
    if (!bearer) return this.unauthorized(needs, challenge())
    const grant = this.tokens.get(bearer[1]!)
    if (!grant || grant.expiresAt <= this.options.now()) {
      return this.unauthorized(needs, challenge('invalid_token'))
    }
    const has = (resource: ScopeResource, action: string) => {
      const actions = grant.access.get(key(resource))
      return !!actions && (actions.has(action) || actions.has('*'))
    }
    const missing = needs.find((n) => !n.actions.every((a) => has(n, a)))
    if (missing) {
      const anonymous = grant.username === undefined && this.requiresLogin
      if (!anonymous && !this.allowed(missing, grant.username)) return this.denied(missing)
      return this.unauthorized(needs, challenge('insufficient_scope'))
    }
    return { can: has }
  }

  private unauthorized(needs: Need[], challenge: string): Response {
    const detail = needs.flatMap((n) =>
      n.actions.map((action) => ({ Type: n.type, Name: n.name, Action: action })),
    )
    return errorResponse(401, entry('UNAUTHORIZED', undefined, detail.length ? detail : null), {
      'www-authenticate': challenge,
    })
  }

  private denied(need: Need): Response {
    return errorResponse(403, entry('DENIED', undefined, { scope: formatScope([need]) }))
  }

  /** Serves the token endpoint (GET, and POST with a form body). */
  async token(request: Request): Promise<Response> {
    const auth = this.options.auth
    if (auth.type !== 'token') return new Response('404 page not found\n', { status: 404 })
    if (request.method === 'GET') return this.tokenGet(request)
    if (request.method === 'POST') return this.tokenPost(request)
    return tokenError(405, 'method not allowed')
  }

  private async tokenGet(request: Request): Promise<Response> {
    const auth = this.options.auth as Extract<ResolvedOptions['auth'], { type: 'token' }>
    const params = new URL(request.url).searchParams
    const badService = this.checkService(params.get('service'))
    if (badService) return badService
    const given = basicCredentials(request)
    const anonymous = auth.anonymousPull && !request.headers.has('authorization')
    if (!anonymous && !this.tokenCredentials(given?.username, given?.password)) {
      return tokenError(401, 'incorrect username or password', {
        'www-authenticate': 'Basic realm="wharf-mock token"',
      })
    }
    const username = auth.username === undefined ? undefined : given?.username
    const offline = params.get('offline_token') === 'true'
    return this.issue(params.getAll('scope').join(' '), username, offline, false)
  }

  private async tokenPost(request: Request): Promise<Response> {
    const read = await readBody(request, 64 * 1024)
    if (!read.ok) return tokenError(413, 'request body too large')
    const form = new URLSearchParams(new TextDecoder().decode(concat(read.chunks, read.size)))
    const badService = this.checkService(form.get('service'))
    if (badService) return badService
    if (!form.get('client_id')) return tokenError(400, 'client_id is required')
    let username: string | undefined
    const grantType = form.get('grant_type')
    if (grantType === 'password') {
      username = form.get('username') ?? undefined
      if (!this.tokenCredentials(username, form.get('password') ?? undefined)) {
        return tokenError(401, 'incorrect username or password')
      }
    } else if (grantType === 'refresh_token') {
      const refresh = form.get('refresh_token') ?? ''
      if (!this.refreshTokens.has(refresh)) return tokenError(401, 'invalid refresh token')
      username = this.refreshTokens.get(refresh)
    } else {
      return tokenError(400, `unsupported grant_type ${JSON.stringify(grantType)}`)
    }
    const offline = form.get('access_type') === 'offline'
    return this.issue(form.get('scope') ?? '', username, offline, true)
  }

  /** True when the credentials are the configured ones (anything goes when none are). */
  private tokenCredentials(username: string | undefined, password: string | undefined): boolean {
    const auth = this.options.auth as Extract<ResolvedOptions['auth'], { type: 'token' }>
    if (auth.username === undefined) return true
    return username === auth.username && password === (auth.password ?? '')
  }

  private checkService(service: string | null): Response | undefined {
    if (service !== null && service !== this.service) {
      return tokenError(400, `unknown service ${JSON.stringify(service)}`)
    }
    return undefined
  }

  private issue(scopes: string, username: string | undefined, offline: boolean, oauth: boolean) {
    const auth = this.options.auth as Extract<ResolvedOptions['auth'], { type: 'token' }>
    const expiresIn = auth.expiresIn ?? 60
    const access = new Map<string, Set<string>>()
    const granted: string[] = []
    for (const scope of scopes.split(' ').filter(Boolean)) {
      const need = parseScope(scope)
      if (!need) continue
      const allowed = this.actions(need, username)
      const actions = need.actions.filter((a) => allowed.includes(a) || allowed.includes('*'))
      if (!actions.length) continue
      const set = access.get(key(need)) ?? new Set()
      for (const a of actions) set.add(a)
      access.set(key(need), set)
      granted.push(`${key(need)}:${actions.join(',')}`)
    }
    const now = this.options.now()
    const token = randomToken()
    if (this.tokens.size >= MAX_TOKENS) this.tokens.delete(this.tokens.keys().next().value!)
    this.tokens.set(token, { username, access, expiresAt: now + expiresIn * 1000 })
    const body: Record<string, unknown> = {
      access_token: token,
      expires_in: expiresIn,
      issued_at: new Date(now).toISOString(),
      ...(oauth ? { scope: granted.join(' ') } : { token }),
    }
    if (offline) {
      const refresh = randomToken()
      if (this.refreshTokens.size >= MAX_TOKENS) {
        this.refreshTokens.delete(this.refreshTokens.keys().next().value!)
      }
      this.refreshTokens.set(refresh, username)
      body.refresh_token = refresh
    }
    return Response.json(body)
  }
}

function tokenError(status: number, details: string, headers: HeadersInit = {}): Response {
  return Response.json({ details }, { status, headers })
}
