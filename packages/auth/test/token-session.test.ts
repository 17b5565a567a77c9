import { inspect } from 'node:util'
import { createHttpClient, type OutgoingRequest } from '@wharf/core-http'
import { type RunningServer, serve } from '@wharf/core-http/node'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { basicAuth, SessionClosedError, tokenSession } from '../src/index.js'
import { failure } from './support.js'

const request = (): OutgoingRequest => ({
  url: new URL('http://127.0.0.1:1/api/v3/machines'),
  method: 'GET',
  headers: new Headers(),
  context: {},
  attempt: 0,
})
const sent = async (auth: { authorize(r: OutgoingRequest): unknown }) => {
  const r = request()
  await auth.authorize(r)
  return r.headers.get('authorization')
}

/** A login that hands out t1, t2, … and records when it was called. */
function counter(expiresIn?: number) {
  const calls: number[] = []
  return {
    calls,
    login: async () => {
      calls.push(Date.now())
      return {
        token: `t${calls.length}`,
        ...(expiresIn === undefined ? {} : { expiresAt: Date.now() + expiresIn }),
      }
    },
  }
}

describe('tokenSession with fake timers', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('logs in on first use, then refreshes every 300 s in the background', async () => {
    vi.useFakeTimers()
    const start = Date.now()
    const { calls, login } = counter()
    const session = tokenSession({ login })
    expect(session.token).toBeUndefined()
    expect(calls).toHaveLength(0)
    expect(await sent(session)).toBe('Bearer t1')
    expect(await sent(session)).toBe('Bearer t1')
    await vi.advanceTimersByTimeAsync(299_000)
    expect(calls).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1_000)
    expect(calls).toHaveLength(2)
    expect(session.token).toBe('t2')
    expect(await sent(session)).toBe('Bearer t2')
    await vi.advanceTimersByTimeAsync(300_000)
    expect(calls.map((t) => t - start)).toEqual([0, 300_000, 600_000])
    session.close()
    await vi.advanceTimersByTimeAsync(3_600_000)
    expect(calls).toHaveLength(3)
    expect(session.token).toBeUndefined()
  })

  it('refreshes at half the remaining life when the token expires sooner', async () => {
    vi.useFakeTimers()
    const start = Date.now()
    const { calls, login } = counter(60_000)
    const session = tokenSession({ login })
    await sent(session)
    await vi.advanceTimersByTimeAsync(90_000)
    expect(calls.map((t) => t - start)).toEqual([0, 30_000, 60_000, 90_000])
    session.close()
  })

  it('logs in before the request when the token has expired (e.g. after a sleep)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const { calls, login } = counter()
    const session = tokenSession({ login, ttl: 600_000 })
    expect(await sent(session)).toBe('Bearer t1')
    vi.setSystemTime(Date.now() + 600_001) // timers did not run: the machine slept
    expect(await sent(session)).toBe('Bearer t2')
    expect(calls).toHaveLength(2)
    session.close()
  })

  it('does not spin when the server’s expiry is already past or very close', async () => {
    vi.useFakeTimers()
    let n = 0
    const session = tokenSession({
      login: async () => ({ token: `t${++n}`, expiresAt: Date.now() + (n === 1 ? -5_000 : 10) }),
      ttl: 600_000,
    })
    expect(await sent(session)).toBe('Bearer t1')
    await vi.advanceTimersByTimeAsync(10_000)
    // t1's past expiry counts as the 600 s ttl; no login happened in these 10 s.
    expect(n).toBe(1)
    await vi.advanceTimersByTimeAsync(290_000) // the periodic refresh: t2 expires in 10 ms
    expect(n).toBe(2)
    await vi.advanceTimersByTimeAsync(5_000)
    expect(n).toBe(7) // then at most one login per second
    session.close()
  })

  it('retries a failed background refresh, keeping the old token meanwhile', async () => {
    vi.useFakeTimers()
    let n = 0
    const session = tokenSession({
      login: async () => {
        n++
        if (n === 2) throw new Error('server down')
        return { token: `t${n}` }
      },
    })
    expect(await sent(session)).toBe('Bearer t1')
    await vi.advanceTimersByTimeAsync(300_000) // fails
    expect(n).toBe(2)
    expect(await sent(session)).toBe('Bearer t1')
    await vi.advanceTimersByTimeAsync(30_000) // retried
    expect(n).toBe(3)
    expect(await sent(session)).toBe('Bearer t3')
    session.close()
  })
})

describe('tokenSession', () => {
  const servers: RunningServer[] = []
  afterEach(async () => {
    vi.restoreAllMocks()
    await Promise.all(servers.splice(0).map((s) => s.close()))
  })

  it('shares one login between concurrent requests', async () => {
    const { calls, login } = counter()
    const session = tokenSession({ login })
    const all = await Promise.all([sent(session), sent(session), session.refresh()])
    expect(all).toEqual(['Bearer t1', 'Bearer t1', 't1'])
    expect(calls).toHaveLength(1)
    session.close()
  })

  it('throws ERR_SESSION_CLOSED after close and aborts a running login', async () => {
    let aborted = false
    const session = tokenSession({
      login: (signal) =>
        new Promise((_, reject) =>
          signal?.addEventListener('abort', () => {
            aborted = true
            reject(signal.reason)
          }),
        ),
    })
    const pending = failure(sent(session))
    session.close()
    expect(await pending).toBeInstanceOf(SessionClosedError)
    expect(aborted).toBe(true)
    const error = await failure(sent(session))
    expect(error).toBeInstanceOf(SessionClosedError)
    expect(error.code).toBe('ERR_SESSION_CLOSED')
    await expect(session.refresh()).rejects.toThrow(SessionClosedError)
  })

  it('does not keep the process alive: its timer is unref’d', async () => {
    const spy = vi.spyOn(globalThis, 'setTimeout')
    const session = tokenSession({ login: async () => ({ token: 'x' }) })
    await session.refresh()
    const timer = spy.mock.results.at(-1)!.value as NodeJS.Timeout
    expect(timer.hasRef()).toBe(false)
    session.close()
  })

  it('logs in against a provision-style token endpoint and recovers once from a 401', async () => {
    let issued = 0
    let valid = ''
    const log: string[] = []
    const api = await serve((r) => {
      const url = new URL(r.url)
      const authorization = r.headers.get('authorization') ?? ''
      log.push(`${url.pathname} ${authorization}`)
      if (url.pathname === '/api/v3/users/rocketskates/token') {
        if (authorization !== `Basic ${btoa('rocketskates:r0cketsk8ts')}`)
          return new Response(null, { status: 401 })
        valid = `session-${++issued}`
        return Response.json({ Token: valid, Info: { ttl: Number(url.searchParams.get('ttl')) } })
      }
      return authorization === `Bearer ${valid}`
        ? Response.json(['m1'])
        : new Response(null, { status: 401 })
    })
    servers.push(api)
    const login = createHttpClient({
      baseUrl: api.url,
      auth: basicAuth({ username: 'rocketskates', password: 'r0cketsk8ts' }),
    })
    const session = tokenSession({
      login: async (signal) => {
        const body = await login.json<{ Token: string }>('/api/v3/users/rocketskates/token', {
          searchParams: { ttl: 600 },
          signal,
        })
        return { token: body.Token }
      },
    })
    const client = createHttpClient({ baseUrl: api.url, auth: session })
    expect(await client.json('/api/v3/machines')).toEqual(['m1'])
    valid = 'revoked-on-the-server'
    expect(await client.json('/api/v3/machines')).toEqual(['m1'])
    await client.close()
    expect(log.map((l) => l.replace(/Basic \S+/, 'Basic …'))).toEqual([
      '/api/v3/users/rocketskates/token Basic …',
      '/api/v3/machines Bearer session-1',
      '/api/v3/machines Bearer session-1',
      '/api/v3/users/rocketskates/token Basic …',
      '/api/v3/machines Bearer session-2',
    ])
    expect(inspect(session)).not.toContain('session-2')
    expect(JSON.stringify(session)).not.toContain('session-2')
    await expect(client.json('/api/v3/machines')).rejects.toThrow(SessionClosedError)
  })
})
