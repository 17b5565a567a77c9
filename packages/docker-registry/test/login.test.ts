import { afterEach, describe, expect, it } from 'vitest'
import { createEndpoint, createSession, INDEX_SERVER, LoginError, login } from '../src/index.js'
import { type Backend, KINDS, startMock, v1OnlyFetch } from './backends.js'

const USER = { username: 'alice', password: 's3cret' }

describe.each(KINDS)('login over %s', (kind) => {
  let backend: Backend
  afterEach(async () => backend?.close())

  it('V2 token realm: asks for an offline token and returns the identity token', async () => {
    backend = await startMock(kind, { auth: { type: 'token', ...USER } })
    const result = await login({ ...USER, serverAddress: backend.url })
    expect(result).toMatchObject({
      status: 'Login Succeeded',
      version: 2,
      serverAddress: new URL(backend.url).host,
    })
    expect(result.identityToken).toMatch(/^[\w-]{16,}$/)
    const check = backend.mock.distribution.requests.at(-1)!
    expect([new URL(check.url).pathname, check.headers.authorization]).toEqual([
      '/v2/',
      'Bearer [redacted]',
    ])
    const tokenRequest = backend.mock.distribution.requests.find(
      (r) => new URL(r.url).pathname === '/token',
    )!
    const challenge = (await createEndpoint(backend.url).ping()).headers.get('www-authenticate')!
    expect(Object.fromEntries(new URL(tokenRequest.url).searchParams)).toEqual({
      account: 'alice',
      client_id: 'docker',
      offline_token: 'true',
      service: /service="([^"]+)"/.exec(challenge)![1],
    })
    expect(tokenRequest.headers.authorization).toBe('Basic [redacted]')

    // the identity token logs in again (OAuth2 refresh grant) and works for a session
    const again = await login({ identityToken: result.identityToken!, serverAddress: backend.url })
    expect(again.identityToken).toBe(result.identityToken)
    const post = backend.mock.distribution.requests.filter(
      (r) => r.method === 'POST' && r.url.endsWith('/token'),
    )
    expect(post).toHaveLength(1)
    const session = createSession(createEndpoint(backend.url), {
      authConfig: { identityToken: result.identityToken! },
    })
    expect(await session.getV2Version()).toMatchObject({ status: 200 })
  })

  it('V2 refuses bad credentials and missing credentials with LoginError', async () => {
    backend = await startMock(kind, { auth: { type: 'token', ...USER } })
    const bad = await login({
      username: 'alice',
      password: 'nope',
      serverAddress: backend.url,
    }).catch((e) => e)
    expect(bad).toBeInstanceOf(LoginError)
    expect(bad).toMatchObject({ code: 'ERR_LOGIN_UNAUTHORIZED', status: 401 })
    expect(bad.message).toMatch(/incorrect username or password/)
    expect(bad.message).not.toContain('nope')
    const none = await login({ serverAddress: backend.url }).catch((e) => e)
    expect(none).toMatchObject({ code: 'ERR_LOGIN_UNAUTHORIZED' })
    const forged = await login({ identityToken: 'forged-token', serverAddress: backend.url }).catch(
      (e) => e,
    )
    expect(forged).toBeInstanceOf(Error)
    expect(forged.message).not.toContain('forged-token')
  })

  it('V2 Basic: checks /v2/ with the credentials', async () => {
    backend = await startMock(kind, { auth: { type: 'basic', ...USER } })
    expect(await login({ ...USER, serverAddress: backend.url })).toMatchObject({ version: 2 })
    const bad = await login({ ...USER, password: 'x', serverAddress: backend.url }).catch((e) => e)
    expect(bad).toMatchObject({ code: 'ERR_LOGIN_UNAUTHORIZED', status: 401 })
  })

  it('an open registry needs no credentials', async () => {
    backend = await startMock(kind)
    expect(await login({ serverAddress: backend.url })).toEqual({
      status: 'Login Succeeded',
      version: 2,
      serverAddress: new URL(backend.url).host,
    })
  })

  it('V1: GET /v1/users/ with Basic; 401 and 403 are LoginErrors', async () => {
    backend = await startMock(kind, {
      users: { alice: 's3cret', dormant: { password: 'x', active: false } },
    })
    const options = { fetch: v1OnlyFetch(backend.mock) }
    expect(await login({ ...USER, serverAddress: backend.url }, options)).toMatchObject({
      version: 1,
    })
    const users = backend.mock.requests.filter((r) => new URL(r.url).pathname === '/v1/users/')
    expect(users.map((r) => r.headers.authorization)).toEqual(['Basic [redacted]'])
    const bad = await login(
      { username: 'alice', password: 'no', serverAddress: backend.url },
      options,
    ).catch((e) => e)
    expect(bad).toMatchObject({ code: 'ERR_LOGIN_UNAUTHORIZED', status: 401 })
    const inactive = await login(
      { username: 'dormant', password: 'x', serverAddress: backend.url },
      options,
    ).catch((e) => e)
    expect(inactive).toMatchObject({ code: 'ERR_LOGIN_INACTIVE', status: 403 })
  })

  it('no server address means Docker Hub (here: the mock posing as Hub)', async () => {
    backend = await startMock(kind, { hub: true, auth: { type: 'token', ...USER } })
    const result = await login(
      { ...USER },
      { hub: { registry: backend.url, index: `${backend.url}/v1/` } },
    )
    expect(result).toMatchObject({ status: 'Login Succeeded', serverAddress: INDEX_SERVER })
    const token = backend.mock.distribution.requests.find((r) => r.url.includes('/token'))!
    expect(new URL(token.url).searchParams.get('service')).toBe('registry.docker.io')
  })
})
