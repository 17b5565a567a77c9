import { describe, expect, it } from 'vitest'
import type { AccessPolicy } from '../../src/mock/index.js'
import {
  drain,
  errorCode,
  parseChallenge,
  pushBlob,
  type Target,
  TRANSPORTS,
  useRegistry,
} from './targets.js'

const basic = (user: string, pass: string) => `Basic ${btoa(`${user}:${pass}`)}`
const ALICE = basic('alice', 's3cret')
/** alice may do anything except push to and delete from `acme/readonly`. */
const policy: AccessPolicy = (resource) =>
  resource.type === 'repository' && resource.name === 'acme/readonly'
    ? ['pull']
    : ['pull', 'push', 'delete', '*']

describe.each(TRANSPORTS)('basic auth over %s', (transport) => {
  const t = useRegistry(transport, {
    auth: { type: 'basic', username: 'alice', password: 's3cret', policy },
    origin: 'http://basic.mock',
    storageOrigin: 'http://basic-storage.mock',
  })

  it.each([
    ['no credentials', undefined],
    ['a wrong password', basic('alice', 'nope')],
    ['a bearer token', 'Bearer abc'],
  ])('answers %s with 401 and a Basic challenge', async (_case, authorization) => {
    const r = await t.fetch('/v2/', { headers: authorization ? { authorization } : {} })
    expect(r.status).toBe(401)
    expect(r.headers.get('www-authenticate')).toBe('Basic realm="wharf-mock"')
    expect(r.headers.get('docker-distribution-api-version')).toBe('registry/2.0')
    expect(await errorCode(r)).toBe('UNAUTHORIZED')
  })

  it('lets the right credentials in and denies what the policy forbids with 403', async () => {
    const ok = await t.fetch('/v2/', { headers: { authorization: ALICE } })
    expect(ok.status).toBe(200)
    await drain(ok)
    const push = await t.fetch('/v2/acme/readonly/blobs/uploads/', {
      method: 'POST',
      headers: { authorization: ALICE },
    })
    expect(push.status).toBe(403)
    expect(await errorCode(push)).toBe('DENIED')
    const pull = await t.fetch('/v2/acme/readonly/tags/list', { headers: { authorization: ALICE } })
    expect(pull.status).toBe(404)
    await drain(pull)
  })

  it('redacts credentials in the request log', async () => {
    await drain(await t.fetch('/v2/', { headers: { authorization: ALICE } }))
    expect(t.registry.requests.at(-1)?.headers.authorization).toBe('Basic [redacted]')
    expect(JSON.stringify(t.registry.requests)).not.toContain(ALICE.slice(6))
  })
})

describe.each(TRANSPORTS)('token auth over %s', (transport) => {
  let clock = Date.parse('2026-01-01T00:00:00Z')
  const t = useRegistry(transport, {
    auth: {
      type: 'token',
      username: 'alice',
      password: 's3cret',
      service: 'wharf.test',
      expiresIn: 120,
      policy,
    },
    origin: 'http://token.mock',
    storageOrigin: 'http://token-storage.mock',
    now: () => clock,
  })

  async function token(scopes: string[], authorization: string | null = ALICE, extra = '') {
    const url = new URL('/token', t.base)
    url.searchParams.set('service', 'wharf.test')
    for (const s of scopes) url.searchParams.append('scope', s)
    const r = await t.fetch(url.href + extra, { headers: authorization ? { authorization } : {} })
    return { status: r.status, body: (await r.json()) as Record<string, any> }
  }
  const bearer = async (scopes: string[]) => ({
    authorization: `Bearer ${(await token(scopes)).body.token}`,
  })

  it('challenges /v2/ without a scope', async () => {
    const r = await t.fetch('/v2/')
    expect(r.status).toBe(401)
    const { scheme, params } = parseChallenge(r.headers.get('www-authenticate')!)
    expect(scheme).toBe('bearer')
    expect(params).toEqual({ realm: `${t.base}/token`, service: 'wharf.test' })
    await drain(r)
  })

  it.each([
    ['GET', '/v2/acme/app/tags/list', 'repository:acme/app:pull'],
    ['HEAD', '/v2/acme/app/manifests/v1', 'repository:acme/app:pull'],
    ['PUT', '/v2/acme/app/manifests/v1', 'repository:acme/app:pull,push'],
    ['DELETE', '/v2/acme/app/manifests/v1', 'repository:acme/app:delete'],
    ['POST', '/v2/acme/app/blobs/uploads/', 'repository:acme/app:pull,push'],
    [
      'POST',
      '/v2/acme/app/blobs/uploads/?mount=sha256:x&from=acme/base',
      'repository:acme/app:pull,push repository:acme/base:pull',
    ],
    ['GET', '/v2/_catalog', 'registry:catalog:*'],
  ])('challenges %s %s with scope %s', async (method, path, scope) => {
    const r = await t.fetch(path, { method })
    expect(r.status).toBe(401)
    expect(parseChallenge(r.headers.get('www-authenticate')!).params.scope).toBe(scope)
    await drain(r)
  })

  it('issues tokens for good credentials only', async () => {
    expect((await token(['repository:acme/app:pull'], null)).status).toBe(401)
    const wrong = await token(['repository:acme/app:pull'], basic('alice', 'x'))
    expect(wrong.status).toBe(401)
    expect(wrong.body.details).toBe('incorrect username or password')
    const otherService = await t.fetch(new URL('/token?service=other', t.base).href, {
      headers: { authorization: ALICE },
    })
    expect(otherService.status).toBe(400)
    await drain(otherService)
    const ok = await token(['repository:acme/app:pull'])
    expect(ok.status).toBe(200)
    expect(ok.body).toMatchObject({ expires_in: 120, issued_at: '2026-01-01T00:00:00.000Z' })
    expect(ok.body.token).toBe(ok.body.access_token)
    expect(ok.body.refresh_token).toBeUndefined()
  })

  it('accepts a token with the scope; insufficient scope → 401 insufficient_scope', async () => {
    const pull = await bearer(['repository:acme/app:pull'])
    const list = await t.fetch('/v2/acme/app/tags/list', { headers: pull })
    expect(list.status).toBe(404)
    expect(await errorCode(list)).toBe('NAME_UNKNOWN')
    const push = await t.fetch('/v2/acme/app/blobs/uploads/', { method: 'POST', headers: pull })
    expect(push.status).toBe(401)
    const { params } = parseChallenge(push.headers.get('www-authenticate')!)
    expect(params).toMatchObject({
      error: 'insufficient_scope',
      scope: 'repository:acme/app:pull,push',
    })
    await drain(push)
    const other = await t.fetch('/v2/acme/other/tags/list', { headers: pull })
    expect(other.status).toBe(401)
    await drain(other)
  })

  it('grants only what the policy allows; the rest is 403 DENIED', async () => {
    const { body } = await token(['repository:acme/readonly:pull,push'])
    const headers = { authorization: `Bearer ${body.token}` }
    const pull = await t.fetch('/v2/acme/readonly/tags/list', { headers })
    expect(pull.status).toBe(404)
    await drain(pull)
    const push = await t.fetch('/v2/acme/readonly/blobs/uploads/', { method: 'POST', headers })
    expect(push.status).toBe(403)
    expect(await errorCode(push)).toBe('DENIED')
  })

  it('expired or unknown tokens → 401 invalid_token', async () => {
    const headers = await bearer(['repository:acme/app:pull'])
    clock += 121_000
    for (const authorization of [headers.authorization, 'Bearer forged']) {
      const r = await t.fetch('/v2/acme/app/tags/list', { headers: { authorization } })
      expect(r.status).toBe(401)
      expect(parseChallenge(r.headers.get('www-authenticate')!).params.error).toBe('invalid_token')
      await drain(r)
    }
  })

  it('serves the OAuth2 POST form: password grant with a refresh token, then refresh', async () => {
    const post = (form: Record<string, string>) =>
      t.fetch('/token', { method: 'POST', body: new URLSearchParams(form) })
    const first = await post({
      grant_type: 'password',
      username: 'alice',
      password: 's3cret',
      service: 'wharf.test',
      client_id: 'wharf',
      access_type: 'offline',
      scope: 'repository:acme/app:pull,push repository:acme/readonly:push',
    })
    expect(first.status).toBe(200)
    const body = (await first.json()) as Record<string, string>
    expect(body.scope).toBe('repository:acme/app:pull,push')
    expect(body.refresh_token).toBeTruthy()
    const again = await post({
      grant_type: 'refresh_token',
      refresh_token: body.refresh_token!,
      service: 'wharf.test',
      client_id: 'wharf',
      scope: 'repository:acme/app:pull',
    })
    expect(again.status).toBe(200)
    const refreshed = (await again.json()) as Record<string, string>
    const r = await t.fetch('/v2/acme/app/tags/list', {
      headers: { authorization: `Bearer ${refreshed.access_token}` },
    })
    expect(r.status).toBe(404)
    await drain(r)
    for (const [form, status] of [
      [
        {
          grant_type: 'refresh_token',
          refresh_token: 'nope',
          service: 'wharf.test',
          client_id: 'w',
        },
        401,
      ],
      [
        {
          grant_type: 'password',
          username: 'alice',
          password: 'x',
          service: 'wharf.test',
          client_id: 'w',
        },
        401,
      ],
      [
        { grant_type: 'password', username: 'alice', password: 's3cret', service: 'wharf.test' },
        400,
      ],
      [{ grant_type: 'magic', service: 'wharf.test', client_id: 'w' }, 400],
    ] as const) {
      const bad = await post(form as Record<string, string>)
      expect(bad.status, JSON.stringify(form)).toBe(status)
      await drain(bad)
    }
  })

  it('GET with offline_token=true also returns a refresh token', async () => {
    const { body } = await token([], ALICE, '&offline_token=true&client_id=wharf')
    expect(body.refresh_token).toBeTruthy()
  })

  it('mounts only with pull on the source; otherwise falls back to 202', async () => {
    const setup = await bearer(['repository:acme/base:pull,push'])
    const post = await t.fetch('/v2/acme/base/blobs/uploads/', { method: 'POST', headers: setup })
    const location = new URL(post.headers.get('location')!, t.base)
    location.searchParams.set(
      'digest',
      'sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
    )
    const put = await t.fetch(location.href, { method: 'PUT', body: 'hello', headers: setup })
    expect(put.status).toBe(201)
    const digest = put.headers.get('docker-content-digest')!
    const path = `/v2/acme/app/blobs/uploads/?mount=${digest}&from=acme/base`
    const targetOnly = await t.fetch(path, {
      method: 'POST',
      headers: await bearer(['repository:acme/app:pull,push']),
    })
    expect(targetOnly.status).toBe(202)
    const both = await t.fetch(path, {
      method: 'POST',
      headers: await bearer(['repository:acme/app:pull,push', 'repository:acme/base:pull']),
    })
    expect(both.status).toBe(201)
  })

  it('the catalog needs registry:catalog:*', async () => {
    const r = await t.fetch('/v2/_catalog', { headers: await bearer(['registry:catalog:*']) })
    expect(r.status).toBe(200)
    expect(await r.json()).toEqual({ repositories: [] })
  })
})

describe.each(TRANSPORTS)('anonymous token auth over %s', (transport) => {
  const t = useRegistry(transport, {
    auth: { type: 'token' },
    origin: 'http://anon.mock',
    storageOrigin: 'http://anon-storage.mock',
  })
  it('accepts any OAuth2 password grant', async () => {
    const r = await t.fetch('/token', {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'password',
        username: 'x',
        password: 'y',
        client_id: 'w',
      }),
    })
    expect(r.status).toBe(200)
    expect(((await r.json()) as { access_token: string }).access_token).toBeTruthy()
  })

  it('issues tokens without credentials', async () => {
    const r = await t.fetch('/token?scope=repository:acme/app:pull')
    const { token } = (await r.json()) as { token: string }
    const list = await t.fetch('/v2/acme/app/tags/list', {
      headers: { authorization: `Bearer ${token}` },
    })
    expect(list.status).toBe(404)
    await drain(list)
  })
})

describe.each(TRANSPORTS)('storage origin with auth over %s', (transport) => {
  const t: Target = useRegistry(
    transport,
    {
      auth: { type: 'basic', username: 'alice', password: 's3cret' },
      origin: 'http://redirect.mock',
      storageOrigin: 'http://redirect-storage.mock',
    },
    { credentials: { username: 'alice', password: 's3cret' } },
  )

  it('refuses requests that carry Authorization (400) and serves signed URLs without it', async () => {
    const digest = await pushBlob(t, 'acme/app', 'redirected bytes')
    t.registry.faults.redirectBlobs = true
    const r = await t.fetch(`/v2/acme/app/blobs/${digest}`, { redirect: 'manual' })
    expect(r.status).toBe(307)
    const target = new URL(r.headers.get('location')!)
    expect(target.origin).toBe(t.storage)
    expect(target.searchParams.get('signature')).toMatch(/^[0-9a-f]{32}$/)
    const leaked = await fetch(target, { headers: { authorization: ALICE } })
    expect(leaked.status).toBe(400)
    expect(await leaked.text()).toContain('InvalidArgument')
    const clean = await fetch(target)
    expect(clean.status).toBe(200)
    expect(await clean.text()).toBe('redirected bytes')
    const storageLog = t.registry.requests.filter((q) => q.url.startsWith(t.storage))
    expect(storageLog.map((q) => q.headers.authorization)).toEqual(['Basic [redacted]', undefined])
  })
})

describe.each(TRANSPORTS)('anonymous pull over %s', (transport) => {
  const basicT = useRegistry(transport, {
    auth: { type: 'basic', username: 'alice', password: 's3cret', anonymousPull: true },
    origin: 'http://public-basic.mock',
    storageOrigin: 'http://public-basic-storage.mock',
  })
  const tokenT = useRegistry(transport, {
    auth: { type: 'token', username: 'alice', password: 's3cret', anonymousPull: true },
    origin: 'http://public-token.mock',
    storageOrigin: 'http://public-token-storage.mock',
  })

  it('basic: pulls without credentials, everything else needs them', async () => {
    const pull = await basicT.fetch('/v2/acme/app/tags/list')
    expect(pull.status).toBe(404)
    expect(await errorCode(pull)).toBe('NAME_UNKNOWN')
    for (const [method, path] of [
      ['POST', '/v2/acme/app/blobs/uploads/'],
      ['GET', '/v2/'],
      ['GET', '/v2/_catalog'],
    ] as const) {
      const r = await basicT.fetch(path, { method })
      expect(r.status, `${method} ${path}`).toBe(401)
      await drain(r)
    }
    const push = await basicT.fetch('/v2/acme/app/blobs/uploads/', {
      method: 'POST',
      headers: { authorization: ALICE },
    })
    expect(push.status).toBe(202)
  })

  it('token: anonymous tokens pull; pushing asks to log in (401, not 403)', async () => {
    const r = await tokenT.fetch(
      '/token?service=public-token.mock&scope=repository:acme/app:pull,push',
    )
    expect(r.status).toBe(200)
    const headers = { authorization: `Bearer ${((await r.json()) as { token: string }).token}` }
    const pull = await tokenT.fetch('/v2/acme/app/tags/list', { headers })
    expect(pull.status).toBe(404)
    await drain(pull)
    const push = await tokenT.fetch('/v2/acme/app/blobs/uploads/', { method: 'POST', headers })
    expect(push.status).toBe(401)
    expect(parseChallenge(push.headers.get('www-authenticate')!).params.error).toBe(
      'insufficient_scope',
    )
    await drain(push)
    const wrong = await tokenT.fetch('/token?service=public-token.mock', {
      headers: { authorization: basic('alice', 'x') },
    })
    expect(wrong.status).toBe(401)
    await drain(wrong)
  })
})
