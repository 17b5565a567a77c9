// A registry and its token server written from the distribution token spec
// (shared/reference/oci-distribution.md §11), as web fetch handlers. It imports nothing from
// the client, so a parsing bug in the client cannot hide here.

export interface TokenWorldOptions {
  service?: string
  /** Passwords by user. */
  users?: Record<string, string>
  /** Actions granted per user ('' = anonymous) and repository. */
  grants?: Record<string, Record<string, string[]>>
  /** Refresh (identity) tokens and the user they stand for. */
  refreshTokens?: Record<string, string>
  /** `expires_in` of issued tokens, in seconds; undefined sends none. */
  expiresIn?: number
  /** How long the registry honours a token, in seconds (default `expiresIn`, else 60). */
  validFor?: number
  /** Hand out refresh tokens on POST grants and `offline_token=true`. */
  issueRefreshTokens?: boolean
}

export interface TokenRequestSeen {
  method: string
  url: URL
  authorization: string | null
  form?: URLSearchParams
}

export interface RegistryRequestSeen {
  method: string
  path: string
  authorization: string | null
  status: number
}

const b64 = (text: string) => Buffer.from(text).toString('base64')

/** One registry with its token realm; `realm` and `registry` are origins set by the test. */
export function tokenWorld(options: TokenWorldOptions = {}) {
  const service = options.service ?? 'registry.test'
  const users = options.users ?? {}
  const grants = options.grants ?? {}
  const refreshTokens = new Map(Object.entries(options.refreshTokens ?? {}))
  const issued = new Map<string, { user: string; access: Map<string, Set<string>>; exp: number }>()
  const tokenLog: TokenRequestSeen[] = []
  const registryLog: RegistryRequestSeen[] = []
  let counter = 0
  const world = {
    realmPath: '/token',
    realmOrigin: '',
    tokenLog,
    registryLog,
    issued,
    /** Makes every issued token expire now (server side). */
    revokeAll() {
      for (const t of issued.values()) t.exp = 0
    },

    async token(request: Request): Promise<Response> {
      const url = new URL(request.url)
      const authorization = request.headers.get('authorization')
      let form: URLSearchParams | undefined
      if (request.method === 'POST') form = new URLSearchParams(await request.text())
      tokenLog.push({ method: request.method, url, authorization, form })
      let user: string | undefined = ''
      let scopes: string[]
      let refresh: string | undefined
      if (form) {
        if (!form.get('client_id'))
          return Response.json({ details: 'client_id required' }, { status: 400 })
        if (form.get('grant_type') === 'refresh_token')
          user = refreshTokens.get(form.get('refresh_token') ?? '')
        else if (form.get('grant_type') === 'password') {
          const name = form.get('username') ?? ''
          user =
            users[name] !== undefined && users[name] === form.get('password') ? name : undefined
        } else return Response.json({ details: 'unsupported grant_type' }, { status: 400 })
        scopes = (form.get('scope') ?? '').split(' ').filter(Boolean)
        if (user && options.issueRefreshTokens) refresh = `rt-${user}-${++counter}`
      } else {
        if (authorization) {
          const m = /^Basic (.+)$/.exec(authorization)
          const [name, ...rest] = Buffer.from(m?.[1] ?? '', 'base64')
            .toString()
            .split(':')
          user =
            m && users[name!] !== undefined && users[name!] === rest.join(':') ? name! : undefined
        }
        scopes = url.searchParams.getAll('scope')
        if (
          user &&
          url.searchParams.get('offline_token') === 'true' &&
          options.issueRefreshTokens
        ) {
          refresh = `rt-${user}-${++counter}`
        }
      }
      if (user === undefined)
        return Response.json({ details: 'incorrect username or password' }, { status: 401 })
      if (refresh) refreshTokens.set(refresh, user)
      const access = new Map<string, Set<string>>()
      for (const scope of scopes) {
        const first = scope.indexOf(':')
        const last = scope.lastIndexOf(':')
        const name = scope.slice(first + 1, last)
        const allowed = new Set([...(grants[user]?.[name] ?? []), ...(grants['']?.[name] ?? [])])
        const granted = scope
          .slice(last + 1)
          .split(',')
          .filter((a) => allowed.has(a))
        access.set(name, new Set([...(access.get(name) ?? []), ...granted]))
      }
      const token = `tok-${++counter}`
      const validFor = options.validFor ?? options.expiresIn ?? 60
      issued.set(token, { user, access, exp: Date.now() + validFor * 1000 })
      const body: Record<string, unknown> = {
        token,
        access_token: token,
        issued_at: new Date().toISOString(),
      }
      if (options.expiresIn !== undefined) body.expires_in = options.expiresIn
      if (refresh) body.refresh_token = refresh
      return Response.json(body)
    },

    async registry(request: Request): Promise<Response> {
      const url = new URL(request.url)
      const authorization = request.headers.get('authorization')
      const needed = requiredAccess(request.method, url)
      const realm = `${world.realmOrigin}${world.realmPath}`
      const deny = (error?: string) => {
        const scope = needed.map(([n, a]) => `repository:${n}:${a.join(',')}`).join(' ')
        const params = [`realm="${realm}"`, `service="${service}"`]
        if (scope) params.push(`scope="${scope}"`)
        if (error) params.push(`error="${error}"`)
        registryLog.push({
          method: request.method,
          path: url.pathname + url.search,
          authorization,
          status: 401,
        })
        return Response.json(
          { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] },
          { status: 401, headers: { 'www-authenticate': `Bearer ${params.join(',')}` } },
        )
      }
      const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1]
      if (!token) return deny()
      const grant = issued.get(token)
      if (!grant || grant.exp <= Date.now()) return deny('invalid_token')
      for (const [name, actions] of needed) {
        if (!actions.every((a) => grant.access.get(name)?.has(a))) return deny('insufficient_scope')
      }
      await request.arrayBuffer()
      registryLog.push({
        method: request.method,
        path: url.pathname + url.search,
        authorization,
        status: 200,
      })
      return Response.json({ user: grant.user })
    },
  }
  return world
}

/** The reference server's mapping of a request to the repository actions it needs. */
function requiredAccess(method: string, url: URL): Array<[string, string[]]> {
  const m = /^\/v2\/(.+?)\/(manifests|blobs|tags)\//.exec(url.pathname)
  if (!m) return []
  const name = m[1]!
  const out: Array<[string, string[]]> = []
  if (method === 'GET' || method === 'HEAD') out.push([name, ['pull']])
  else if (method === 'DELETE') out.push([name, ['delete']])
  else out.push([name, ['pull', 'push']])
  const from = url.searchParams.get('from')
  if (url.searchParams.has('mount') && from) out.push([from, ['pull']])
  return out
}

export { b64 }
