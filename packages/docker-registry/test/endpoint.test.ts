import { afterEach, describe, expect, it } from 'vitest'
import {
  createEndpoint,
  EndpointError,
  HUB_REGISTRY,
  INDEX_SERVER,
  InvalidArgumentError,
} from '../src/index.js'
import { type Backend, KINDS, startMock, v1OnlyFetch } from './backends.js'

describe('createEndpoint', () => {
  it.each([
    ['docker.io', `${HUB_REGISTRY}/`, INDEX_SERVER, true],
    ['index.docker.io', `${HUB_REGISTRY}/`, INDEX_SERVER, true],
    [INDEX_SERVER, `${HUB_REGISTRY}/`, INDEX_SERVER, true],
    [
      'registry.example.com',
      'https://registry.example.com/',
      'https://registry.example.com/v1/',
      false,
    ],
    ['localhost:5000', 'https://localhost:5000/', 'https://localhost:5000/v1/', false],
    ['[::1]:5000', 'https://[::1]:5000/', 'https://[::1]:5000/v1/', false],
    ['http://127.0.0.1:5000/v2/', 'http://127.0.0.1:5000/', 'http://127.0.0.1:5000/v1/', false],
    ['https://r.example/v1/', 'https://r.example/', 'https://r.example/v1/', false],
  ])('%s', (input, url, index, hub) => {
    const e = createEndpoint(input)
    expect([e.url.href, e.indexUrl.href, e.hub]).toEqual([url, index, hub])
  })

  it('uses http for a bare host with plainHttp and Hub origins from options', () => {
    expect(createEndpoint('127.0.0.1:5000', { plainHttp: true }).url.href).toBe(
      'http://127.0.0.1:5000/',
    )
    const hub = createEndpoint('docker.io', {
      hub: { registry: 'http://127.0.0.1:1', index: 'http://127.0.0.1:2/v1/' },
    })
    expect([hub.url.href, hub.indexUrl.href]).toEqual([
      'http://127.0.0.1:1/',
      'http://127.0.0.1:2/v1/',
    ])
    expect(hub.versionString(2)).toBe('v2')
  })

  it.each(['ftp://x.example', 'https://user:pw@x.example', 'host/path', 'a b', 'http://'])(
    'refuses %s with a typed error',
    (input) => {
      const error = (() => {
        try {
          createEndpoint(input)
        } catch (e) {
          return e
        }
      })()
      expect(error).toBeInstanceOf(InvalidArgumentError)
      expect(String((error as Error).message)).not.toContain('pw')
    },
  )
})

describe.each(KINDS)('ping over %s', (kind) => {
  let backend: Backend
  afterEach(async () => backend?.close())

  it('detects V2 first, with the Docker API version header and the challenge', async () => {
    backend = await startMock(kind, { auth: { type: 'token', username: 'a', password: 'b' } })
    const info = await createEndpoint(backend.url).ping()
    expect(info).toMatchObject({
      version: 2,
      standalone: true,
      status: 401,
      apiVersionHeader: 'registry/2.0',
    })
    expect(info.headers.get('www-authenticate')).toMatch(/^Bearer realm=/)
    expect(backend.mock.requests.map((r) => new URL(r.url).pathname)).toEqual(['/v2/'])
  })

  it('falls back to /v1/_ping and reads the standalone flag', async () => {
    backend = await startMock(kind, { standalone: false })
    const endpoint = createEndpoint(backend.url, { fetch: v1OnlyFetch(backend.mock) })
    expect(await endpoint.ping()).toMatchObject({
      version: 1,
      standalone: false,
      registryVersion: '0.6.0',
    })
  })

  it('throws EndpointError for something that is no registry', async () => {
    backend = await startMock(kind)
    const nothing = () => Promise.resolve(new Response('nope', { status: 404 }))
    const error = await createEndpoint(backend.url, { fetch: nothing })
      .ping()
      .catch((e) => e)
    expect(error).toBeInstanceOf(EndpointError)
    expect(error.code).toBe('ERR_NOT_REGISTRY')
    expect(error.message).toMatch(/\/v2\/ answered 404, \/v1\/_ping answered 404/)
  })
})
