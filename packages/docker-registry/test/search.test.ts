import { afterEach, describe, expect, it } from 'vitest'
import {
  createEndpoint,
  createService,
  createSession,
  InvalidArgumentError,
  splitSearchTerm,
} from '../src/index.js'
import { type Backend, KINDS, startMock, v1OnlyFetch } from './backends.js'

function seed(backend: Backend) {
  const { mock } = backend
  mock.addRepository('library/redis', {
    description: 'An open-source key-value store.',
    starCount: 12000,
  })
  mock.addRepository('alice/redis-tools', { description: '', starCount: 3 })
  mock.addRepository('bob/cache', {
    description: 'Redis-compatible cache',
    starCount: 40,
    automated: true,
  })
  mock.addRepository('carol/secret-redis', {
    description: 'private',
    starCount: 999,
    private: true,
  })
  mock.addRepository('library/ubuntu', { description: 'Ubuntu', starCount: 9000 })
}

describe.each(KINDS)('Hub search v1 over %s', (kind) => {
  let backend: Backend
  afterEach(async () => backend?.close())

  const session = (auth?: { username: string; password: string }) =>
    createSession(createEndpoint(backend.url), { ...(auth ? { authConfig: auth } : {}), retry: 0 })

  it('finds repositories by name and description, most stars first', async () => {
    backend = await startMock(kind, { users: { carol: 'pw' } })
    seed(backend)
    const found = await session().searchRepositories('redis')
    expect(found.query).toBe('redis')
    expect(found.numResults).toBe(3)
    expect(found.results).toEqual([
      {
        name: 'redis',
        description: 'An open-source key-value store.',
        starCount: 12000,
        isOfficial: true,
        isAutomated: false,
      },
      {
        name: 'bob/cache',
        description: 'Redis-compatible cache',
        starCount: 40,
        isOfficial: false,
        isAutomated: true,
      },
      {
        name: 'alice/redis-tools',
        description: '',
        starCount: 3,
        isOfficial: false,
        isAutomated: false,
      },
    ])
    const request = backend.mock.requests.at(-1)!
    expect(new URL(request.url).pathname).toBe('/v1/search')
    expect(request.headers['x-docker-token']).toBe('true')
  })

  it('pages with limit and page, strips library/ and shows private hits to their owner', async () => {
    backend = await startMock(kind, { users: { carol: 'pw' } })
    seed(backend)
    const page2 = await session().searchRepositories('library/redis', { limit: 2, page: 2 })
    expect(page2).toMatchObject({
      query: 'redis',
      numResults: 3,
      numPages: 2,
      page: 2,
      pageSize: 2,
    })
    expect(page2.results.map((r) => r.name)).toEqual(['alice/redis-tools'])
    const url = new URL(backend.mock.requests.at(-1)!.url)
    expect(Object.fromEntries(url.searchParams)).toEqual({ q: 'redis', n: '2', page: '2' })
    const mine = await session({ username: 'carol', password: 'pw' }).searchRepositories('redis')
    expect(mine.results.map((r) => r.name)).toEqual([
      'redis',
      'carol/secret-redis',
      'bob/cache',
      'alice/redis-tools',
    ])
    await expect(
      session({ username: 'carol', password: 'nope' }).searchRepositories('redis'),
    ).rejects.toMatchObject({
      status: 401,
    })
  })

  it('the Service searches Hub (here the mock) and checks credentials', async () => {
    backend = await startMock(kind, { users: { carol: 'pw' } })
    seed(backend)
    const service = createService({
      hub: { registry: backend.url, index: `${backend.url}/v1/` },
      retry: 0,
    })
    const found = await service.search('redis', {
      authConfig: { username: 'carol', password: 'pw' },
      limit: 1,
    })
    expect(found.results.map((r) => r.name)).toEqual(['redis'])
    expect(found.numResults).toBe(4)
    // auth goes through login: here Hub's index answers the V1 flow (its V2 API hidden)
    const v1 = createService({
      hub: { registry: backend.url, index: `${backend.url}/v1/` },
      fetch: v1OnlyFetch(backend.mock),
    })
    expect(await v1.auth({ username: 'carol', password: 'pw' })).toMatchObject({
      status: 'Login Succeeded',
      version: 1,
    })
    await expect(v1.auth({ username: 'carol', password: 'bad' })).rejects.toMatchObject({
      code: 'ERR_LOGIN_UNAUTHORIZED',
    })
  })

  it('refuses bad limits, pages and terms before sending anything', async () => {
    backend = await startMock(kind)
    const s = session()
    for (const options of [{ limit: 0 }, { limit: 101 }, { limit: 2.5 }, { page: 0 }]) {
      await expect(s.searchRepositories('redis', options)).rejects.toBeInstanceOf(
        InvalidArgumentError,
      )
    }
    await expect(s.searchRepositories('')).rejects.toBeInstanceOf(InvalidArgumentError)
    await expect(s.searchRepositories('https://evil.example/x')).rejects.toBeInstanceOf(
      InvalidArgumentError,
    )
    await expect(s.searchRepositories('bad host!/x')).resolves.toMatchObject({ numResults: 0 })
    expect(backend.mock.requests.filter((r) => r.url.includes('search'))).toHaveLength(1)
  })
})

describe('search term splitting', () => {
  it.each([
    ['redis', { term: 'redis' }],
    ['library/redis', { term: 'redis' }],
    ['alice/app', { term: 'alice/app' }],
    ['localhost/app', { host: 'localhost', term: 'app' }],
    ['127.0.0.1:5000/team/app', { host: '127.0.0.1:5000', term: 'team/app' }],
    ['[::1]:5000/app', { host: '[::1]:5000', term: 'app' }],
  ])('%s', (input, expected) => {
    expect(splitSearchTerm(input)).toEqual(expected)
  })

  it('searches another registry named in the term, without the session credentials', async () => {
    const other = await startMock('http')
    const home = await startMock('http', { users: { alice: 'pw' } })
    try {
      other.mock.addRepository('team/app', { description: 'elsewhere', starCount: 1 })
      const s = createSession(createEndpoint(home.url), {
        authConfig: { username: 'alice', password: 'pw' },
      })
      const found = await s.searchRepositories(`${new URL(other.url).host}/app`)
      expect(found.results.map((r) => r.name)).toEqual(['team/app'])
      expect(other.mock.requests.at(-1)!.headers.authorization).toBeUndefined()
      expect(home.mock.requests).toHaveLength(0)
    } finally {
      await other.close()
      await home.close()
    }
  })
})
