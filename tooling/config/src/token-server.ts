import { createPrivateKey, type KeyObject, randomUUID, sign, X509Certificate } from 'node:crypto'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { selfSignedCertificate } from './tls.js'

/** A user of the token server and, optionally, the repositories and actions it may use. */
export interface TokenUser {
  username: string
  password: string
  /** `repository name → allowed actions`; absent means every action on every repository. */
  access?: Record<string, string[]>
}

/** Options of {@link startTokenServer}. */
export interface TokenServerOptions {
  /** The `service` (JWT audience) the registry expects. */
  service?: string
  /** The `iss` claim the registry expects. */
  issuer?: string
  users: TokenUser[]
  /** Token lifetime in seconds (default 300). */
  expiresIn?: number
}

/** A running token server; `requests` logs every token request's scopes and user. */
export interface TokenServer {
  /** `http://127.0.0.1:<port>/token` */
  realm: string
  service: string
  issuer: string
  /** PEM of the certificate whose key signs the tokens (the registry's `rootcertbundle`). */
  certificate: string
  requests: Array<{ account?: string; scopes: string[]; granted: boolean }>
  close(): Promise<void>
}

/** A P-256 signing key and its self-signed certificate. */
function makeSigningKey(): { key: KeyObject; certificate: string } {
  const { key, certificate } = selfSignedCertificate({ subject: '/CN=wharf-test-token-server' })
  return { key: createPrivateKey(key), certificate }
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url')

/** Signs an ES256 JWT whose header carries the certificate in `x5c`, as the 2.8 registry wants. */
function signJwt(claims: object, key: KeyObject, certificate: string): string {
  const der = new X509Certificate(certificate).raw.toString('base64')
  const header = b64url(JSON.stringify({ alg: 'ES256', typ: 'JWT', x5c: [der] }))
  const payload = b64url(JSON.stringify(claims))
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), {
    key,
    dsaEncoding: 'ieee-p1363',
  })
  return `${header}.${payload}.${b64url(signature)}`
}

function basicUser(req: IncomingMessage): { username: string; password: string } | undefined {
  const m = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '')
  if (!m) return undefined
  const text = Buffer.from(m[1]!, 'base64').toString('utf8')
  const colon = text.indexOf(':')
  return colon < 0 ? undefined : { username: text.slice(0, colon), password: text.slice(colon + 1) }
}

/** Grants the intersection of the requested and permitted actions, like real token servers. */
function grant(user: TokenUser | undefined, scopes: string[]) {
  const access: Array<{ type: string; name: string; actions: string[] }> = []
  for (const scope of scopes) {
    const first = scope.indexOf(':')
    const last = scope.lastIndexOf(':')
    if (first <= 0 || last <= first) continue
    const type = scope.slice(0, first)
    const name = scope.slice(first + 1, last)
    const wanted = scope
      .slice(last + 1)
      .split(',')
      .filter(Boolean)
    const allowed = !user ? [] : user.access ? (user.access[name] ?? []) : wanted
    const actions = wanted.filter((a) => allowed.includes(a) || allowed.includes('*'))
    access.push({ type, name, actions })
  }
  return access
}

/**
 * A small Docker/OCI token server on 127.0.0.1 for the CNCF registry's `auth.token` mode:
 * `GET /token?service=&scope=` with Basic credentials answers `{token, access_token,
 * expires_in, issued_at}`, an ES256 JWT signed with a fresh key whose certificate is in
 * `certificate`. Wrong credentials get 401 `{"details": …}`; anonymous requests get tokens
 * with no access.
 */
export async function startTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  const service = options.service ?? 'wharf-test-registry'
  const issuer = options.issuer ?? 'wharf-test-token-server'
  const expiresIn = options.expiresIn ?? 300
  const { key, certificate } = makeSigningKey()
  const requests: TokenServer['requests'] = []
  const sockets = new Set<Socket>()
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    if (url.pathname !== '/token' || req.method !== 'GET') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"details":"not found"}')
      return
    }
    const scopes = url.searchParams
      .getAll('scope')
      .flatMap((s) => s.split(' '))
      .filter(Boolean)
    const given = basicUser(req)
    const user =
      given &&
      options.users.find((u) => u.username === given.username && u.password === given.password)
    requests.push({
      ...(given ? { account: given.username } : {}),
      scopes,
      granted: !given || !!user,
    })
    if (given && !user) {
      res.writeHead(401, { 'content-type': 'application/json' })
      res.end('{"details":"incorrect username or password"}')
      return
    }
    const now = Math.floor(Date.now() / 1000)
    const token = signJwt(
      {
        iss: issuer,
        sub: user?.username ?? '',
        aud: url.searchParams.get('service') ?? service,
        exp: now + expiresIn,
        nbf: now - 10,
        iat: now,
        jti: randomUUID(),
        access: grant(user, scopes),
      },
      key,
      certificate,
    )
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(
      JSON.stringify({
        token,
        access_token: token,
        expires_in: expiresIn,
        issued_at: new Date(now * 1000).toISOString(),
      }),
    )
  })
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certificate,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}
