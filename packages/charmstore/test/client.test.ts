import { HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  CharmStoreError,
  createCharmStoreClient,
  ErrorCode,
  InvalidCharmURLError,
  isAuthorizationError,
  isCharmStoreError,
  JUJU_METADATA_HTTP_HEADER,
  jujuMetadataHeaders,
  SERVER_URL,
  VERSION,
} from '../src/index.js'
import { ADMIN, charmZip, startStore, unexpected } from './fixtures.js'

describe('generic calls against the mock', () => {
  let env: Awaited<ReturnType<typeof startStore>>
  beforeAll(async () => {
    env = await startStore()
    await env.client.uploadCharm('~bob/trusty/wordpress', charmZip('wordpress'))
  })
  afterAll(() => env.close())

  it('get parses JSON from <root>/v5<path>; serverURL has no version', async () => {
    expect(env.client.serverURL()).toBe(env.server.url)
    const names = await env.client.get<string[]>('/meta')
    expect(names).toContain('archive-size')
    expect(names).toContain('charm-metadata')
    const seen = env.mock.requests.at(-1)!
    expect(seen.path).toBe('/meta')
    expect(seen.headers.get('user-agent')).toBe(`wharf-charmstore/${VERSION}`)
    expect(seen.headers.get('authorization')).toMatch(/^Basic /)
  })

  it('put and putWithResponse send exact application/json bodies', async () => {
    await env.client.put('/~bob/trusty/wordpress-0/meta/extra-info/owner', 'bob')
    const put = env.mock.requests.at(-1)!
    expect(put.method).toBe('PUT')
    expect(put.headers.get('content-type')).toBe('application/json')
    const value = await env.client.get('/~bob/trusty/wordpress-0/meta/extra-info/owner')
    expect(value).toBe('bob')
    const reply = await env.client.putWithResponse('/~bob/trusty/wordpress-0/meta/extra-info', {
      k: 1,
    })
    expect(reply).toBeUndefined() // empty 200 body
    expect(
      await env.client.doWithResponse('GET', '/~bob/trusty/wordpress-0/meta/extra-info'),
    ).toEqual({ owner: 'bob', k: 1 })
  })

  it('do returns the raw response; only 200 is success', async () => {
    const response = await env.client.do('/~bob/trusty/wordpress-0/meta/id-name')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ Name: 'wordpress' })
    await expect(env.client.do('nope')).rejects.toThrow(/must start with "\/"/)
  })

  it('store errors become CharmStoreError with the store code and message', async () => {
    const error = await env.client
      .get('/~bob/trusty/nothing/meta/any')
      .then(unexpected, (e: any) => e)
    expect(error).toBeInstanceOf(CharmStoreError)
    expect(error.code).toBe('ERR_CHARMSTORE')
    expect(error.status).toBe(404)
    expect(error.storeCode).toBe(ErrorCode.NotFound)
    expect(error.message).toContain('no matching charm or bundle for cs:~bob/trusty/nothing')
    expect(isCharmStoreError(error, 'not found')).toBe(true)
    expect(isAuthorizationError(error)).toBe(false)
    const missing = await env.client
      .get('/~bob/trusty/wordpress-0/meta/bundle-metadata')
      .then(unexpected, (e: any) => e)
    expect(missing.storeCode).toBe(ErrorCode.MetadataNotFound)
  })

  it('multiple errors carry Info per item', async () => {
    const error = await env.client
      .put('/~bob/trusty/wordpress-0/meta/any', {
        Meta: { 'extra-info/a.b': 1, 'extra-info/ok': 2, hash: 'x' },
      })
      .then(unexpected, (e: any) => e)
    expect(error.storeCode).toBe(ErrorCode.MultipleErrors)
    expect(error.status).toBe(500)
    expect(Object.keys(error.info).sort()).toEqual(['extra-info/a.b', 'hash'])
    expect(error.info['extra-info/a.b'].Code).toBe('bad request')
  })

  it('a client channel is forced onto every request, replacing the caller’s', async () => {
    const edge = env.client.withChannel('edge')
    expect(edge.channel()).toBe('edge')
    expect(env.client.channel()).toBeUndefined()
    await edge.get('/meta?channel=stable').catch(() => {})
    expect(env.mock.requests.at(-1)!.path).toBe('/meta?channel=edge')
    const bad = await env.client.get('/meta?channel=development').then(unexpected, (e: any) => e)
    expect(bad.storeCode).toBe('bad request')
    expect(() => env.client.withChannel('nightly' as any)).toThrow(/invalid channel/)
  })

  it('custom headers (Juju-Metadata, one value per attribute) go with every request', async () => {
    env.client.setHTTPHeader(jujuMetadataHeaders({ environment_uuid: 'u-1', arch: 'amd64' }))
    await env.client.get('/meta')
    expect(env.mock.requests.at(-1)!.headers.get(JUJU_METADATA_HTTP_HEADER)).toBe(
      'arch=amd64, environment_uuid=u-1',
    )
    env.client.setHTTPHeader({})
    await env.client.get('/meta')
    expect(env.mock.requests.at(-1)!.headers.get(JUJU_METADATA_HTTP_HEADER)).toBeNull()
  })

  it('bad ids, channels and options are typed errors raised before any request', async () => {
    const before = env.mock.requests.length
    await expect(env.client.meta('cs:~bob/Bad', {})).rejects.toMatchObject({
      code: 'ERR_INVALID_CHARM_URL',
    })
    await expect(env.client.getArchive('cs:~bob/trusty/x-1-2')).rejects.toThrow(
      InvalidCharmURLError,
    )
    await expect(env.client.metaWithChannel('~bob/x', {}, 'nightly' as any)).rejects.toMatchObject({
      code: 'ERR_INVALID_CHANNEL',
    })
    expect(() => createCharmStoreClient({ minMultipartUploadSize: 0 })).toThrow(/positive integer/)
    expect(() => createCharmStoreClient({ channel: 'development' as any })).toThrow(
      /invalid channel/,
    )
    expect(env.mock.requests.length).toBe(before)
  })

  it('every call honours its AbortSignal', async () => {
    const aborted = AbortSignal.abort()
    await expect(env.client.get('/meta', { signal: aborted })).rejects.toMatchObject({
      code: 'ERR_ABORTED',
    })
    await expect(
      env.client.getArchive('~bob/trusty/wordpress-0', { signal: aborted }),
    ).rejects.toMatchObject({ code: 'ERR_ABORTED' })
    await expect(
      env.client.uploadResource('~bob/trusty/wordpress-0', 'x', {
        source: new Uint8Array(1),
        filename: 'x',
        signal: aborted,
      }),
    ).rejects.toMatchObject({ code: 'ERR_ABORTED' })
  })

  it('wrong admin credentials are an authorization error', async () => {
    const client = createCharmStoreClient({
      url: env.server.url,
      user: 'admin',
      password: 'wrong',
      http: { retry: 0 },
    })
    const error = await client.whoAmI().then(unexpected, (e: any) => e)
    expect(error.status).toBe(401)
    expect(isAuthorizationError(error)).toBe(true)
    expect(error.message).not.toContain('wrong')
  })

  it('anonymous writes without a bakery strategy fail as authorization errors', async () => {
    const client = createCharmStoreClient({ url: env.server.url, http: { retry: 0 } })
    const error = await client
      .putExtraInfo('~bob/trusty/wordpress-0', { a: 1 })
      .then(unexpected, (e: any) => e)
    expect(error.storeCode).toBe(ErrorCode.DischargeRequired)
    expect(error.status).toBe(401)
    expect(error.headers.get('www-authenticate')).toBe('Macaroon')
    expect(env.mock.requests.at(-1)!.headers.get('bakery-protocol-version')).toBe('3')
    expect(isAuthorizationError(error)).toBe(true)
  })
})

describe('client-side rules (msw)', () => {
  const origin = 'http://127.0.0.1:7499'
  const server = setupServer()
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
  afterEach(() => server.resetHandlers())
  afterAll(() => server.close())

  it('defaults to the public store URL', () => {
    expect(createCharmStoreClient().serverURL()).toBe(SERVER_URL)
    expect(SERVER_URL).toBe('https://api.jujucharms.com/charmstore')
  })

  it('treats 201/204 as errors and non-JSON error bodies as code-less errors', async () => {
    server.use(
      http.get(`${origin}/v5/created`, () => HttpResponse.json({}, { status: 201 })),
      http.get(
        `${origin}/v5/teapot`,
        () =>
          new HttpResponse('I am a teapot', {
            status: 418,
            headers: { 'content-type': 'text/plain' },
          }),
      ),
      http.get(`${origin}/v5/nocode`, () =>
        HttpResponse.json({ Message: 'boom' }, { status: 500 }),
      ),
    )
    const client = createCharmStoreClient({ url: origin, ...ADMIN, http: { retry: 0 } })
    const created = await client.get('/created').then(unexpected, (e: any) => e)
    expect(created).toBeInstanceOf(CharmStoreError)
    expect(created.status).toBe(201)
    const teapot = await client.get('/teapot').then(unexpected, (e: any) => e)
    expect(teapot.status).toBe(418)
    expect(teapot.storeCode).toBeUndefined()
    const nocode = await client.get('/nocode').then(unexpected, (e: any) => e)
    expect(nocode.storeCode).toBe(ErrorCode.Other)
    expect(nocode.message).toContain('boom')
  })

  it('a 200 with a non-JSON body is a ParseError when a result is expected', async () => {
    server.use(
      http.get(
        `${origin}/v5/html`,
        () => new HttpResponse('<html>', { headers: { 'content-type': 'text/html' } }),
      ),
    )
    const client = createCharmStoreClient({ url: origin, http: { retry: 0 } })
    await expect(client.get('/html')).rejects.toMatchObject({ code: 'ERR_PARSE' })
  })

  it('retries 503 but never the store’s deterministic 500s', async () => {
    let calls503 = 0
    let calls500 = 0
    server.use(
      http.get(`${origin}/v5/flaky`, () =>
        ++calls503 === 1
          ? HttpResponse.json({ Message: 'busy', Code: 'service unavailable' }, { status: 503 })
          : HttpResponse.json({ ok: true }),
      ),
      http.put(`${origin}/v5/dup`, () => {
        calls500++
        return HttpResponse.json({ Message: 'exists', Code: 'duplicate upload' }, { status: 500 })
      }),
    )
    const client = createCharmStoreClient({
      url: origin,
      http: { retry: { limit: 2, delay: 1, jitter: false } },
    })
    expect(await client.get('/flaky')).toEqual({ ok: true })
    expect(calls503).toBe(2)
    await expect(client.put('/dup', {})).rejects.toMatchObject({ storeCode: 'duplicate upload' })
    expect(calls500).toBe(1)
  })
})
