import { inspect } from 'node:util'
import { BodyTooLargeError, createHttpClient, type HttpClient, HttpError } from '@wharf/core-http'
import { mswHandlers } from '@wharf/core-http/mock'
import { type RunningServer, serve } from '@wharf/core-http/node'
import { HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  AuthError,
  type RegistryCredentials,
  type RegistryTokenAuthOptions,
  registryTokenAuth,
  scopeFor,
} from '../src/index.js'
import { failure } from './support.js'
import { b64, type TokenWorldOptions, tokenWorld } from './token-world.js'

const servers: RunningServer[] = []
afterEach(async () => {
  vi.useRealTimers()
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

/** A registry and its realm on two real 127.0.0.1 servers (two origins). */
async function start(options: TokenWorldOptions = {}) {
  const world = tokenWorld(options)
  const realm = await serve((r) => world.token(r))
  const registry = await serve((r) => world.registry(r))
  servers.push(realm, registry)
  world.realmOrigin = realm.url
  return { world, registry: registry.url, realm: realm.url }
}

const pull = (repo: string) => ({ context: { scopes: [scopeFor(repo, 'pull')] } })
const push = (repo: string) => ({ context: { scopes: [scopeFor(repo, ['pull', 'push'])] } })
const alice: RegistryCredentials = { username: 'alice', password: 's3cret-pw' }

describe('registryTokenAuth against a real token server', () => {
  it('gets an anonymous token on the challenge, resends once, then reuses it', async () => {
    const { world, registry } = await start({ grants: { '': { 'library/alpine': ['pull'] } } })
    const client = createHttpClient({ baseUrl: registry, auth: registryTokenAuth() })
    expect(
      await client.json('/v2/library/alpine/manifests/latest', pull('library/alpine')),
    ).toEqual({ user: '' })
    expect(await client.json('/v2/library/alpine/manifests/3.20', pull('library/alpine'))).toEqual({
      user: '',
    })

    expect(world.tokenLog).toHaveLength(1)
    const [t] = world.tokenLog
    expect(t!.method).toBe('GET')
    expect(t!.authorization).toBeNull()
    expect(t!.url.searchParams.get('service')).toBe('registry.test')
    expect(t!.url.searchParams.getAll('scope')).toEqual(['repository:library/alpine:pull'])
    expect(world.registryLog.map((r) => [r.status, r.authorization])).toEqual([
      [401, null],
      [200, 'Bearer tok-1'],
      [200, 'Bearer tok-1'],
    ])
  })

  it('sends basic credentials to the realm with account=, never to the registry', async () => {
    const { world, registry } = await start({
      users: { alice: 's3cret-pw' },
      grants: { alice: { 'acme/app': ['pull', 'push'] } },
    })
    const client = createHttpClient({
      baseUrl: registry,
      auth: registryTokenAuth({ credentials: alice }),
    })
    expect(await client.json('/v2/acme/app/manifests/v1', pull('acme/app'))).toEqual({
      user: 'alice',
    })
    const [t] = world.tokenLog
    expect(t!.authorization).toBe(`Basic ${b64('alice:s3cret-pw')}`)
    expect(t!.url.searchParams.get('account')).toBe('alice')
    for (const r of world.registryLog) expect(r.authorization ?? '').not.toMatch(/^Basic/)
  })

  it('uses the OAuth2 refresh_token grant (POST) for an identity token', async () => {
    const { world, registry } = await start({
      refreshTokens: { 'rt-alice': 'alice' },
      grants: { alice: { 'acme/app': ['pull'] } },
    })
    const auth = registryTokenAuth({ credentials: { identityToken: 'rt-alice' } })
    const client = createHttpClient({ baseUrl: registry, auth })
    expect(await client.json('/v2/acme/app/manifests/v1', pull('acme/app'))).toEqual({
      user: 'alice',
    })
    const [t] = world.tokenLog
    expect(t!.method).toBe('POST')
    expect(t!.authorization).toBeNull()
    expect(Object.fromEntries(t!.form!)).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'rt-alice',
      service: 'registry.test',
      client_id: 'wharf',
      scope: 'repository:acme/app:pull',
    })
  })

  it('uses the refresh token the realm rotated for the next grant', async () => {
    const { world, registry } = await start({
      refreshTokens: { 'rt-alice': 'alice' },
      grants: { alice: { 'acme/app': ['pull', 'push'] } },
      issueRefreshTokens: true,
    })
    const auth = registryTokenAuth({ credentials: { identityToken: 'rt-alice' } })
    const client = createHttpClient({ baseUrl: registry, auth })
    await client.json('/v2/acme/app/manifests/v1', pull('acme/app'))
    await client.request('/v2/acme/app/blobs/uploads/', { method: 'POST', ...push('acme/app') })
    expect(world.tokenLog.map((t) => t.form?.get('refresh_token'))).toEqual([
      'rt-alice',
      'rt-alice-1',
    ])
  })

  it('uses the password grant when asked and then the refresh token it got back', async () => {
    const { world, registry } = await start({
      users: { alice: 's3cret-pw' },
      grants: { alice: { 'acme/app': ['pull', 'push'] } },
      issueRefreshTokens: true,
    })
    const client = createHttpClient({
      baseUrl: registry,
      auth: registryTokenAuth({ credentials: alice, oauth: true }),
    })
    await client.json('/v2/acme/app/manifests/v1', pull('acme/app'))
    await client.request('/v2/acme/app/blobs/uploads/', { method: 'POST', ...push('acme/app') })
    expect(world.tokenLog.map((t) => t.form?.get('grant_type'))).toEqual([
      'password',
      'refresh_token',
    ])
    expect(world.tokenLog[0]!.form!.get('access_type')).toBe('offline')
    expect(world.tokenLog[1]!.form!.get('refresh_token')).toBe('rt-alice-1')
    expect(world.tokenLog[1]!.form!.has('password')).toBe(false)
  })

  it('falls back to GET when the realm has no OAuth2 POST endpoint', async () => {
    const { world, registry } = await start({
      users: { alice: 's3cret-pw' },
      grants: { alice: { 'acme/app': ['pull'] } },
    })
    let posts = 0
    const postless = await serve((r) =>
      r.method === 'POST' ? (posts++, new Response(null, { status: 405 })) : world.token(r),
    )
    servers.push(postless)
    world.realmOrigin = postless.url
    const lines: string[] = []
    const client = createHttpClient({
      baseUrl: registry,
      auth: registryTokenAuth({ credentials: alice, oauth: true, debug: (l) => lines.push(l) }),
      debug: (l) => lines.push(l),
    })
    expect(await client.json('/v2/acme/app/manifests/v1', pull('acme/app'))).toEqual({
      user: 'alice',
    })
    expect(world.tokenLog.map((t) => [t.method, t.authorization])).toEqual([
      ['GET', `Basic ${b64('alice:s3cret-pw')}`],
    ])
    expect(posts).toBe(1)
    // Debug lines show the token traffic, never a secret.
    expect(lines.some((l) => l.includes('/token'))).toBe(true)
    expect(lines.join('\n')).not.toMatch(/s3cret|tok-1|YWxpY2U/)
  })

  it('refreshes a token about to expire before the request is sent', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const { world, registry } = await start({ grants: { '': { 'a/b': ['pull'] } }, expiresIn: 300 })
    const client = createHttpClient({ baseUrl: registry, auth: registryTokenAuth() })
    await client.json('/v2/a/b/manifests/1', pull('a/b'))
    vi.setSystemTime(Date.now() + 295_000) // 5 s left: inside the refresh margin
    await client.json('/v2/a/b/manifests/2', pull('a/b'))
    expect(world.tokenLog).toHaveLength(2)
    // No second challenge: the fresh token went out with the request.
    expect(world.registryLog.map((r) => r.status)).toEqual([401, 200, 200])
    expect(world.registryLog[2]!.authorization).toBe('Bearer tok-2')
  })

  it.each([undefined, 5])('treats expires_in %s as 60 s', async (expiresIn) => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const { world, registry } = await start({
      grants: { '': { 'a/b': ['pull'] } },
      expiresIn,
      validFor: 3600,
    })
    const client = createHttpClient({ baseUrl: registry, auth: registryTokenAuth() })
    await client.json('/v2/a/b/manifests/1', pull('a/b'))
    vi.setSystemTime(Date.now() + 30_000)
    await client.json('/v2/a/b/manifests/1', pull('a/b'))
    expect(world.tokenLog).toHaveLength(1)
    vi.setSystemTime(Date.now() + 25_000)
    await client.json('/v2/a/b/manifests/1', pull('a/b'))
    expect(world.tokenLog).toHaveLength(2)
    expect(world.registryLog.map((r) => r.status)).toEqual([401, 200, 200, 200])
  })

  it('drops a token the registry calls expired and fetches a new one', async () => {
    const { world, registry } = await start({
      grants: { '': { 'a/b': ['pull'] } },
      expiresIn: 3600,
    })
    const client = createHttpClient({ baseUrl: registry, auth: registryTokenAuth() })
    await client.json('/v2/a/b/manifests/1', pull('a/b'))
    world.revokeAll()
    expect(await client.json('/v2/a/b/manifests/1', pull('a/b'))).toEqual({ user: '' })
    expect(world.tokenLog).toHaveLength(2)
    expect(world.registryLog.map((r) => [r.status, r.authorization])).toEqual([
      [401, null],
      [200, 'Bearer tok-1'],
      [401, 'Bearer tok-1'],
      [200, 'Bearer tok-2'],
    ])
  })

  it('upgrades the scope from pull to pull,push for an upload', async () => {
    const { world, registry } = await start({
      users: { alice: 's3cret-pw' },
      grants: { alice: { 'acme/app': ['pull', 'push'] } },
    })
    const client = createHttpClient({
      baseUrl: registry,
      auth: registryTokenAuth({ credentials: alice }),
    })
    await client.json('/v2/acme/app/manifests/v1', pull('acme/app'))
    // The caller forgot the push scope: the challenge's scope is merged in.
    await client.request('/v2/acme/app/blobs/uploads/', { method: 'POST', ...pull('acme/app') })
    expect(world.tokenLog.map((t) => t.url.searchParams.getAll('scope'))).toEqual([
      ['repository:acme/app:pull'],
      ['repository:acme/app:pull,push'],
    ])
    expect(world.registryLog.map((r) => `${r.method} ${r.status}`)).toEqual([
      'GET 401',
      'GET 200',
      'POST 401',
      'POST 200',
    ])
  })

  it('asks for one token covering a cross-repository mount', async () => {
    const { world, registry } = await start({
      users: { alice: 's3cret-pw' },
      grants: { alice: { 'a/b': ['pull', 'push'], 'c/d': ['pull'] } },
    })
    const client = createHttpClient({
      baseUrl: registry,
      auth: registryTokenAuth({ credentials: alice }),
    })
    const scopes = [scopeFor('a/b', 'pull,push'), scopeFor('c/d', ['pull'])]
    await client.request('/v2/a/b/blobs/uploads/?mount=sha256:00&from=c/d', {
      method: 'POST',
      context: { scopes },
    })
    expect(world.tokenLog).toHaveLength(1)
    expect(world.tokenLog[0]!.url.searchParams.getAll('scope')).toEqual([
      'repository:a/b:pull,push',
      'repository:c/d:pull',
    ])
    // Known challenge from now on: the next operation gets its token before it is sent.
    await client.request('/v2/a/b/blobs/uploads/?mount=sha256:11&from=c/d', {
      method: 'POST',
      context: { scopes },
    })
    expect(world.registryLog.map((r) => r.status)).toEqual([401, 200, 200])
  })

  it('shares one token request between concurrent requests', async () => {
    const { world, registry } = await start({ grants: { '': { 'a/b': ['pull'] } } })
    const client = createHttpClient({ baseUrl: registry, auth: registryTokenAuth() })
    await client.json('/v2/', {}).catch(() => {}) // learn the challenge (the ping)
    await Promise.all(
      Array.from({ length: 5 }, (_, i) => client.json(`/v2/a/b/manifests/${i}`, pull('a/b'))),
    )
    const scoped = world.tokenLog.filter((t) => t.url.searchParams.has('scope'))
    expect(scoped).toHaveLength(1)
  })

  it('keeps two registries with different realms apart', async () => {
    const one = await start({ users: { alice: 'pw-one' }, grants: { alice: { x: ['pull'] } } })
    const two = await start({ users: { bob: 'pw-two' }, grants: { bob: { x: ['pull'] } } })
    const hosts: string[] = []
    const auth = registryTokenAuth({
      credentials: async (registry) => {
        hosts.push(registry)
        if (registry === new URL(one.registry).host)
          return { username: 'alice', password: 'pw-one' }
        if (registry === new URL(two.registry).host) return { username: 'bob', password: 'pw-two' }
        return undefined
      },
    })
    const c1 = createHttpClient({ baseUrl: one.registry, auth })
    const c2 = createHttpClient({ baseUrl: two.registry, auth })
    expect(await c1.json('/v2/x/manifests/1', pull('x'))).toEqual({ user: 'alice' })
    expect(await c2.json('/v2/x/manifests/1', pull('x'))).toEqual({ user: 'bob' })
    expect(await c1.json('/v2/x/manifests/2', pull('x'))).toEqual({ user: 'alice' })
    expect(one.world.tokenLog.map((t) => t.authorization)).toEqual([`Basic ${b64('alice:pw-one')}`])
    expect(two.world.tokenLog.map((t) => t.authorization)).toEqual([`Basic ${b64('bob:pw-two')}`])
    // Tokens stay with the registry that asked for them.
    const tokensAtTwo = two.world.registryLog.map((r) => r.authorization).filter(Boolean)
    expect(tokensAtTwo.every((a) => two.world.issued.has(a!.slice(7)))).toBe(true)
    expect(hosts.sort()).toEqual([new URL(one.registry).host, new URL(two.registry).host].sort())
  })

  it('falls back to basic credentials on a Basic challenge', async () => {
    const seen: Array<string | null> = []
    const server = await serve((request) => {
      seen.push(request.headers.get('authorization'))
      return request.headers.get('authorization') === `Basic ${b64('alice:s3cret-pw')}`
        ? Response.json({ ok: true })
        : new Response(null, {
            status: 401,
            headers: { 'www-authenticate': 'Basic realm="Registry Realm"' },
          })
    })
    servers.push(server)
    const client = createHttpClient({
      baseUrl: server.url,
      auth: registryTokenAuth({ credentials: alice }),
    })
    expect(await client.json('/v2/a/manifests/1')).toEqual({ ok: true })
    expect(await client.json('/v2/a/manifests/2')).toEqual({ ok: true })
    expect(seen).toEqual([
      null,
      `Basic ${b64('alice:s3cret-pw')}`,
      `Basic ${b64('alice:s3cret-pw')}`,
    ])
  })

  it('gives up after one resend when the credentials are wrong, naming no secret', async () => {
    const { world, registry } = await start({ users: { alice: 'other' } })
    const client = createHttpClient({
      baseUrl: registry,
      auth: registryTokenAuth({ credentials: alice }),
    })
    const error = await failure(client.json('/v2/a/b/manifests/1', pull('a/b')))
    expect(error).toBeInstanceOf(AuthError)
    expect(error.code).toBe('ERR_TOKEN')
    expect(error.cause).toBeInstanceOf(HttpError)
    expect(error.cause.status).toBe(401)
    expect(String(error) + inspect(error, { depth: 5 })).not.toMatch(/s3cret|YWxpY2U6czNjcmV0LXB3/)
    expect(world.tokenLog).toHaveLength(1)
  })

  it('sends a registry token as it is, without a token exchange', async () => {
    const seen: Array<string | null> = []
    const server = await serve((request) => {
      seen.push(request.headers.get('authorization'))
      return new Response(null, {
        status: 401,
        headers: { 'www-authenticate': `Bearer realm="${server.url}/token"` },
      })
    })
    servers.push(server)
    const client = createHttpClient({
      baseUrl: server.url,
      auth: registryTokenAuth({ credentials: { registryToken: 'static-token-1' } }),
    })
    const error = await failure(client.json('/v2/'))
    expect(error).toBeInstanceOf(HttpError)
    expect(seen).toEqual(['Bearer static-token-1'])
  })

  it('hides credentials from inspect, JSON and toString', () => {
    const auth = registryTokenAuth({ credentials: alice })
    const shown = `${inspect(auth)} ${JSON.stringify(auth)} ${String(auth)}`
    expect(shown).toContain('registryTokenAuth')
    expect(shown).not.toContain('s3cret')
  })
})

describe('realm safety (msw, https and foreign hosts)', () => {
  const msw = setupServer()
  beforeAll(() => msw.listen({ onUnhandledRequest: 'error' }))
  afterEach(() => msw.resetHandlers())
  afterAll(() => msw.close())

  const world = (realmOrigin: string, options: TokenWorldOptions = {}) => {
    const w = tokenWorld({
      users: { alice: 's3cret-pw' },
      grants: { alice: { a: ['pull'] }, '': { a: ['pull'] } },
      ...options,
    })
    w.realmOrigin = realmOrigin
    return w
  }
  const client = (
    registry: string,
    credentials?: RegistryTokenAuthOptions['credentials'],
    extra: RegistryTokenAuthOptions = {},
  ): HttpClient =>
    createHttpClient({
      baseUrl: registry,
      retry: 0,
      auth: registryTokenAuth({ credentials, ...extra }),
    })
  it('refuses to send credentials to a plain-HTTP realm of an https registry', async () => {
    const w = world('http://auth.test')
    msw.use(
      ...mswHandlers((r) => w.registry(r), 'https://registry.test'),
      ...mswHandlers((r) => w.token(r), 'http://auth.test'),
    )
    const error = await failure(
      client('https://registry.test', alice).json('/v2/a/manifests/1', pull('a')),
    )
    expect(error).toBeInstanceOf(AuthError)
    expect(error.code).toBe('ERR_INSECURE_REALM')
    expect(error.message).not.toContain('s3cret')
    expect(w.tokenLog).toHaveLength(0)
  })

  it('still fetches anonymous tokens from a plain-HTTP realm, and credentials when allowed', async () => {
    const w = world('http://auth.test')
    msw.use(
      ...mswHandlers((r) => w.registry(r), 'https://registry.test'),
      ...mswHandlers((r) => w.token(r), 'http://auth.test'),
    )
    expect(await client('https://registry.test').json('/v2/a/manifests/1', pull('a'))).toEqual({
      user: '',
    })
    expect(
      await client('https://registry.test', alice, { allowInsecureRealm: true }).json(
        '/v2/a/manifests/1',
        pull('a'),
      ),
    ).toEqual({ user: 'alice' })
    expect(w.tokenLog.map((t) => t.authorization)).toEqual([
      null,
      `Basic ${b64('alice:s3cret-pw')}`,
    ])
  })

  it('refuses a loopback plain-HTTP realm for a remote registry', async () => {
    const w = world('http://127.0.0.1:9')
    msw.use(...mswHandlers((r) => w.registry(r), 'https://registry.test'))
    const error = await failure(
      client('https://registry.test', alice).json('/v2/a/manifests/1', pull('a')),
    )
    expect(error.code).toBe('ERR_INSECURE_REALM')
  })

  it('gives a realm on another host only the registry’s own credentials', async () => {
    const w = world('https://auth.test')
    const asked: string[] = []
    msw.use(
      ...mswHandlers((r) => w.registry(r), 'https://registry.test'),
      ...mswHandlers((r) => w.token(r), 'https://auth.test'),
    )
    const c = client('https://registry.test', async (registry: string) => {
      asked.push(registry)
      return registry === 'registry.test'
        ? alice
        : { username: 'mallory', password: 'other-secret' }
    })
    expect(await c.json('/v2/a/manifests/1', pull('a'))).toEqual({ user: 'alice' })
    expect(asked).toEqual(['registry.test'])
    expect(w.tokenLog.map((t) => t.authorization)).toEqual([`Basic ${b64('alice:s3cret-pw')}`])
  })

  it('refuses realms that are not http(s) or carry credentials', async () => {
    for (const realm of [
      'ftp://auth.test/token',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'https://u:p@auth.test/t',
    ]) {
      msw.use(
        http.all(
          'https://registry.test/*',
          () =>
            new HttpResponse(null, {
              status: 401,
              headers: { 'www-authenticate': `Bearer realm="${realm}",service="s"` },
            }),
        ),
      )
      const error = await failure(client('https://registry.test', alice).json('/v2/'))
      expect(error).toBeInstanceOf(AuthError)
      expect(error.code).toBe('ERR_INVALID_REALM')
    }
  })

  it('caps token responses at 128 KiB', async () => {
    const w = world('https://auth.test')
    msw.use(
      ...mswHandlers((r) => w.registry(r), 'https://registry.test'),
      http.get('https://auth.test/token', () =>
        HttpResponse.json({ token: 'x'.repeat(200 * 1024) }),
      ),
    )
    const error = await failure(
      client('https://registry.test').json('/v2/a/manifests/1', pull('a')),
    )
    expect(error).toBeInstanceOf(BodyTooLargeError)
  })

  it('rejects token responses without a usable token', async () => {
    const w = world('https://auth.test')
    for (const body of [
      {},
      { token: '' },
      { token: 'a b' },
      { token: 'line\nbreak' },
      [1],
      { access_token: 42 },
    ]) {
      msw.use(
        ...mswHandlers((r) => w.registry(r), 'https://registry.test'),
        http.get('https://auth.test/token', () => HttpResponse.json(body)),
      )
      const error = await failure(
        client('https://registry.test').json('/v2/a/manifests/1', pull('a')),
      )
      expect(error).toBeInstanceOf(AuthError)
      expect(error.code).toBe('ERR_TOKEN')
    }
  })

  it('drops the credentials when the token endpoint redirects to another origin', async () => {
    const w = world('https://auth.test')
    const seen: Array<string | null> = []
    msw.use(
      ...mswHandlers((r) => w.registry(r), 'https://registry.test'),
      http.get('https://auth.test/token', ({ request }) => {
        seen.push(request.headers.get('authorization'))
        return new HttpResponse(null, {
          status: 307,
          headers: { location: `https://elsewhere.test/token${new URL(request.url).search}` },
        })
      }),
      http.get('https://elsewhere.test/token', ({ request }) => {
        seen.push(request.headers.get('authorization'))
        return w.token(request)
      }),
    )
    // elsewhere.test sees an anonymous request, so it grants the anonymous pull only.
    expect(
      await client('https://registry.test', alice).json('/v2/a/manifests/1', pull('a')),
    ).toEqual({ user: '' })
    expect(seen).toEqual([`Basic ${b64('alice:s3cret-pw')}`, null])
  })

  it('sends a plain-HTTP remote registry only anonymous tokens unless allowed', async () => {
    const w = world('https://auth.test')
    msw.use(
      ...mswHandlers((r) => w.registry(r), 'http://registry.test'),
      ...mswHandlers((r) => w.token(r), 'https://auth.test'),
    )
    const refused = await failure(
      client('http://registry.test', alice).json('/v2/a/manifests/1', pull('a')),
    )
    expect(refused.code).toBe('ERR_INSECURE_TRANSPORT')
    expect(w.tokenLog).toHaveLength(0)
    expect(await client('http://registry.test').json('/v2/a/manifests/1', pull('a'))).toEqual({
      user: '',
    })
    const allowed = client('http://registry.test', alice, { allowInsecureRegistry: true })
    expect(await allowed.json('/v2/a/manifests/1', pull('a'))).toEqual({ user: 'alice' })
  })

  it('refuses basic credentials to a plain-HTTP registry that is not loopback', async () => {
    msw.use(
      http.all(
        'http://registry.test/*',
        () =>
          new HttpResponse(null, {
            status: 401,
            headers: { 'www-authenticate': 'Basic realm="r"' },
          }),
      ),
    )
    const error = await failure(client('http://registry.test', alice).json('/v2/'))
    expect(error.code).toBe('ERR_INSECURE_TRANSPORT')
  })
})
