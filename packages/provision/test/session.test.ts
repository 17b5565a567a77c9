import { setupServer } from 'msw/node'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { ProvisionAuthError, tokenSession, userSession } from '../src/index.js'
import { createMockProvision } from '../src/mock/index.js'
import { PASSWORD, seen, startMock, USER } from './helpers.js'

describe('userSession', () => {
  it('asks for a 600 s token with basic auth once, then sends it as a bearer token', async () => {
    const { mock, client, url } = await startMock()
    expect(client.endpoint).toBe(url)
    expect(client.username).toBe(USER)
    expect(mock.auth.tokens.has(client.token)).toBe(true)
    await client.info()
    expect(seen(mock)).toEqual([`GET /api/v3/users/${USER}/token?ttl=600`, 'GET /api/v3/info'])
    expect(mock.requests[0]!.headers.authorization).toMatch(/^Basic /)
    expect(mock.requests[1]!.headers.authorization).toBe(`Bearer ${client.token}`)
    expect(mock.requests[1]!.headers['user-agent']).toMatch(/^wharf-provision\//)
  })

  it('a wrong password is a typed 403 with an empty body', async () => {
    const mock = createMockProvision()
    const server = await mock.listen()
    try {
      const error = await userSession(server.url, USER, 'wrong').catch((e) => e)
      expect(error).toBeInstanceOf(ProvisionAuthError)
      expect(error.code).toBe('ERR_UNAUTHORIZED')
      expect(error.status).toBe(403)
      expect(error.messages).toEqual([])
      expect(error.message).not.toContain('wrong')
    } finally {
      await server.close()
    }
  })

  it('refreshes the token every 300 s with the current bearer token (faked clock)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    try {
      const { mock, client } = await startMock()
      const first = client.token
      const before = mock.requests.length
      await vi.advanceTimersByTimeAsync(299_000)
      expect(mock.requests.length).toBe(before)
      await vi.advanceTimersByTimeAsync(1_000)
      await vi.waitFor(() => expect(client.token).not.toBe(first))
      const refresh = mock.requests.at(-1)!
      expect(`${refresh.path}?${refresh.query}`).toBe(`/api/v3/users/${USER}/token?ttl=600`)
      expect(refresh.headers.authorization).toBe(`Bearer ${first}`)
      // 900 s after login the first token is long expired, the refreshed one still works.
      const second = client.token
      await vi.advanceTimersByTimeAsync(300_000)
      await vi.waitFor(() => expect(client.token).not.toBe(second))
      await vi.advanceTimersByTimeAsync(300_000)
      expect((await client.info()).version).toBe('v3.10.0')
      expect(mock.auth.tokens.get(first)!.expiresAt).toBeLessThan(Date.now())
    } finally {
      vi.useRealTimers()
    }
  })

  it('a refresh that fails with the token and the password is reported, not fatal', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    try {
      const mock = createMockProvision()
      const server = await mock.listen()
      const errors: unknown[] = []
      const client = await userSession(server.url, USER, PASSWORD, {
        onRefreshError: (e) => errors.push(e),
      })
      try {
        mock.auth.users.set(USER, { password: 'rotated' })
        mock.auth.revoke(USER)
        await vi.advanceTimersByTimeAsync(300_000)
        await vi.waitFor(() => expect(errors.length).toBe(1))
        expect(errors[0]).toBeInstanceOf(ProvisionAuthError)
        const tokenAsks = mock.requests.filter((r) => r.path.endsWith('/token')).slice(1)
        expect(tokenAsks.map((r) => r.headers.authorization!.split(' ')[0])).toEqual([
          'Bearer',
          'Basic',
        ])
        await expect(client.info()).rejects.toBeInstanceOf(ProvisionAuthError)
      } finally {
        client.close()
        await server.close()
      }
    } finally {
      vi.useRealTimers()
    }
  })

  it('authorize() adds the bearer token unless a header is already there', async () => {
    const { client } = await startMock()
    expect(client.authorize(new Headers()).get('authorization')).toBe(`Bearer ${client.token}`)
    expect(client.authorize(new Headers({ authorization: 'Basic x' })).get('authorization')).toBe(
      'Basic x',
    )
    client.close()
    expect(() => client.authorize(new Headers())).toThrow(/closed/)
  })

  it('close() stops refreshing and later calls fail locally with ERR_SESSION_CLOSED', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      const { mock, client } = await startMock()
      client.close()
      const before = mock.requests.length
      await vi.advanceTimersByTimeAsync(900_000)
      await expect(client.info()).rejects.toMatchObject({ code: 'ERR_SESSION_CLOSED' })
      expect(mock.requests.length).toBe(before)
    } finally {
      vi.useRealTimers()
    }
  })
})

describe('tokenSession', () => {
  it('sends nothing at creation and uses the token as given', async () => {
    const mock = createMockProvision()
    const server = await mock.listen()
    try {
      const token = mock.auth.issue(USER, 60)
      const client = tokenSession(server.url, token)
      expect(mock.requests).toEqual([])
      expect(client.token).toBe(token)
      expect(client.username).toBe('')
      await client.info()
      expect(mock.requests[0]!.headers.authorization).toBe(`Bearer ${token}`)
    } finally {
      await server.close()
    }
  })

  it('an expired token is a typed 403 with an empty body', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z')
    const mock = createMockProvision({ now: () => new Date(now) })
    const server = await mock.listen()
    try {
      const client = tokenSession(server.url, mock.auth.issue(USER, 10))
      await client.info()
      now += 11_000
      const error = await client.info().catch((e) => e)
      expect(error).toBeInstanceOf(ProvisionAuthError)
      expect(error.status).toBe(403)
      expect(error.body).toBe('')
      expect(error.message).not.toContain(client.token)
    } finally {
      await server.close()
    }
  })

  it('no credentials at all is a typed 401', async () => {
    const mock = createMockProvision()
    const server = await mock.listen()
    try {
      const response = await fetch(`${server.url}/api/v3/info`)
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toBe('dr-provision')
      expect(await response.text()).toBe('')
    } finally {
      await server.close()
    }
  })
})

describe('trace headers', () => {
  it('client defaults and per-request overrides reach the server log', async () => {
    const { mock, client } = await startMock()
    client.trace('debug')
    client.traceToken('corr-1')
    await client.info()
    await client.req().urlFor('info').trace('info').traceToken('corr-2').do()
    client.trace('')
    await client.info()
    const sent = mock.requests
      .slice(-3)
      .map((r) => [r.headers['x-log-request'], r.headers['x-log-token']])
    expect(sent).toEqual([
      ['debug', 'corr-1'],
      ['info', 'corr-2'],
      [undefined, undefined],
    ])
    const lines = (await client.logs()).map((l) => l.Message)
    expect(lines).toContain('Log token: corr-1')
    expect(lines).toContain('Log token: corr-2')
  })
})

describe('over msw', () => {
  const mock = createMockProvision()
  const server = setupServer(...mock.handlers('https://drp.test'))
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
  afterAll(() => server.close())

  it('logs in, reads info, does CRUD and survives a dropped connection through msw', async () => {
    const client = await userSession('https://drp.test', USER, PASSWORD, { retry: { delay: 1 } })
    try {
      expect((await client.info()).version).toBe('v3.10.0')
      expect(client.urlFor('machines', 'Name:a b').href).toBe(
        'https://drp.test/api/v3/machines/Name:a%20b',
      )
      const m = await client.createModel('machines', { Name: 'msw.example.com' })
      const [o, n] = await client.getModelForPatch('machines', m.Uuid!)
      n.Description = 'over msw'
      expect((await client.patchTo('machines', o, n)).Description).toBe('over msw')
      expect(await client.filter('machines', 'Name', 'Eq', 'msw.example.com')).toHaveLength(1)
      await client.deleteModel('machines', m.Uuid!)
      expect(await client.existsModel('machines', m.Uuid!)).toBe(false)
      mock.failNext(1)
      expect((await client.info()).version).toBe('v3.10.0')
    } finally {
      client.close()
    }
  })
})
