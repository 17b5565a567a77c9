import { describe, expect, it } from 'vitest'
import { WebSocket as WS } from 'ws'
import {
  andItems,
  EventStreamError,
  equalItem,
  notItem,
  orItems,
  type ProvisionEvent,
  type Registration,
  tokenSession,
} from '../src/index.js'
import type { MockProvision } from '../src/mock/index.js'
import { onCleanup, startMock } from './helpers.js'

async function take(r: Registration, n: number): Promise<ProvisionEvent[]> {
  const out: ProvisionEvent[] = []
  for (let i = 0; i < n; i++) {
    const event = await r.next(AbortSignal.timeout(5000))
    if (!event) break
    out.push(event)
  }
  return out
}

const serverPatterns = (mock: MockProvision) =>
  [...mock.store.hub.connections].map((c) => [...c.patterns].sort())

describe('event stream', () => {
  it('delivers matching events per registration, with wildcards', async () => {
    const { client } = await startMock()
    const events = await client.events()
    onCleanup(() => events.close())
    const machines = await events.register('machines.*.*')
    const creates = await events.register('*.create.*')
    const m = await client.createModel('machines', { Name: 'ev.example.com' })
    await client.createModel('profiles', { Name: 'ev-profile' })
    await client.patchModel('machines', m.Uuid!, [
      { op: 'replace', path: '/Description', value: 'x' },
    ])
    const seenMachines = await take(machines, 2)
    expect(seenMachines.map((e) => [e.Type, e.Action, e.Key])).toEqual([
      ['machines', 'create', m.Uuid],
      ['machines', 'update', m.Uuid],
    ])
    expect((seenMachines[1]!.Object as { Description: string }).Description).toBe('x')
    expect((await take(creates, 2)).map((e) => e.Type)).toEqual(['machines', 'profiles'])
  })

  it('registers a shared pattern once, subscribes more, and deregisters what nobody uses', async () => {
    const { client, mock } = await startMock()
    const events = await client.events()
    onCleanup(() => events.close())
    const a = await events.register('profiles.*.*')
    const b = await events.register('profiles.*.*')
    expect(serverPatterns(mock)).toEqual([['profiles.*.*']])
    await events.subscribe(a, 'custom.ping.*')
    expect(serverPatterns(mock)).toEqual([['custom.ping.*', 'profiles.*.*']])
    await events.deregister(a)
    expect(await a.next()).toBeUndefined()
    expect(serverPatterns(mock)).toEqual([['profiles.*.*']])
    await client.postEvent({ Type: 'profiles', Action: 'poke', Key: 'k' })
    expect((await take(b, 1))[0]).toMatchObject({ Action: 'poke', Key: 'k' })
    await events.deregister(b)
    expect(serverPatterns(mock)).toEqual([[]])
  })

  it('refuses malformed patterns before sending anything', async () => {
    const { client, mock } = await startMock()
    const events = await client.events()
    onCleanup(() => events.close())
    for (const bad of ['machines', 'machines.create', 'a..b', 'a.b.', 'a b.c.d']) {
      await expect(events.register(bad)).rejects.toBeInstanceOf(EventStreamError)
    }
    expect(serverPatterns(mock)).toEqual([[]])
  })

  it('reconnects and registers again after the connection drops', async () => {
    const { client, mock } = await startMock()
    let reconnects = 0
    const events = await client.events({ reconnectDelay: 5, onReconnect: () => reconnects++ })
    onCleanup(() => events.close())
    const r = await events.register('custom.*.*')
    mock.dropSockets()
    await expect.poll(() => reconnects, { timeout: 5000 }).toBe(1)
    expect(serverPatterns(mock)).toEqual([['custom.*.*']])
    await client.postEvent({ Type: 'custom', Action: 'after', Key: 'drop' })
    expect((await take(r, 1))[0]).toMatchObject({ Action: 'after' })
  })

  it('ends registrations with an error when the server stays away', async () => {
    const mock = (await import('../src/mock/index.js')).createMockProvision()
    const server = await mock.listen()
    const client = tokenSession(server.url, mock.auth.issue('rocketskates', 60))
    const events = await client.events({ reconnectDelay: 1, reconnectAttempts: 2 })
    const r = await events.register('custom.*.*')
    await server.close()
    const error = await r.next(AbortSignal.timeout(5000)).catch((e) => e)
    expect(error).toBeInstanceOf(EventStreamError)
    expect(error.message).toContain('not regained after 2 attempts')
    await events.close()
  })

  it('close() ends every iterator cleanly', async () => {
    const { client } = await startMock()
    const events = await client.events()
    const r = await events.register('machines.*.*')
    const drained = (async () => {
      const got: ProvisionEvent[] = []
      for await (const e of r) got.push(e)
      return got
    })()
    await events.close()
    expect(await drained).toEqual([])
    await expect(events.register('a.b.c')).rejects.toThrow(/closed/)
  })

  it('a bad token cannot open the stream', async () => {
    const { url } = await startMock()
    const error = await tokenSession(url, 'bogus')
      .events()
      .catch((e) => e)
    expect(error).toBeInstanceOf(EventStreamError)
    // The `ws` client sees the handshake's status; a web WebSocket (Node 22+) never does.
    if (!('WebSocket' in globalThis)) expect(error.message).toContain('403')
    expect(error.message).not.toContain('bogus')
  })

  it('uses ?token= with a header-less (browser-style) WebSocket', async () => {
    const { client, mock } = await startMock()
    const urls: string[] = []
    class BrowserLike extends WS {
      constructor(url: string) {
        urls.push(url)
        super(url)
      }
    }
    const events = await client.events({ webSocket: BrowserLike as never })
    onCleanup(() => events.close())
    await events.register('custom.*.*')
    expect(urls).toEqual([
      `${client.endpoint.replace('http:', 'ws:')}/api/v3/ws?token=${client.token}`,
    ])
    const upgrade = mock.requests.at(-1)!
    expect(upgrade.path).toBe('/api/v3/ws')
    expect(upgrade.headers.authorization).toBeUndefined()
    expect(serverPatterns(mock)).toEqual([['custom.*.*']])
  })
})

describe('waitFor', () => {
  it('completes when a later update makes the test true', async () => {
    const { client } = await startMock()
    const m = await client.createModel('machines', { Name: 'wait.example.com' })
    const events = await client.events()
    onCleanup(() => events.close())
    const waiting = events.waitFor(
      'machines',
      m.Uuid!,
      andItems(equalItem('Runnable', false), notItem(equalItem('Description', ''))),
      {
        timeout: 5000,
      },
    )
    await client.patchModel('machines', m.Uuid!, [
      { op: 'replace', path: '/Runnable', value: false },
    ])
    await client.patchModel('machines', m.Uuid!, [
      { op: 'replace', path: '/Description', value: 'done' },
    ])
    const result = await waiting
    expect(result.status).toBe('complete')
    expect(
      result.status === 'complete' && (result.item as { Description: string }).Description,
    ).toBe('done')
  })

  it('times out, reports a failing test, and stops on abort', async () => {
    const { client } = await startMock()
    const m = await client.createModel('machines', { Name: 'idle.example.com' })
    const events = await client.events()
    onCleanup(() => events.close())
    expect(
      await events.waitFor('machines', m.Uuid!, equalItem('Runnable', false), { timeout: 50 }),
    ).toEqual({ status: 'timeout' })
    const boom = new Error('bad test')
    expect(
      await events.waitFor('machines', m.Uuid!, () => {
        throw boom
      }),
    ).toEqual({ status: 'failed', stage: 'test', error: boom })
    const missing = await events.waitFor('machines', 'no-such', equalItem('x', 1), {
      timeout: 1000,
    })
    expect(missing).toMatchObject({ status: 'failed', stage: 'fill' })
    const controller = new AbortController()
    const waiting = events.waitFor('machines', m.Uuid!, equalItem('Name', 'never'), {
      signal: controller.signal,
    })
    controller.abort()
    expect(await waiting).toEqual({ status: 'interrupt' })
    expect(
      await events.waitFor(
        'machines',
        m.Uuid!,
        orItems(equalItem('Name', 'x'), equalItem('Name', 'idle.example.com')),
      ),
    ).toMatchObject({
      status: 'complete',
    })
  })

  it('equalItem compares JSON values and treats missing fields as false', () => {
    expect(equalItem('Params', { a: [1, 2] })({ Params: { a: [1, 2] } })).toBe(true)
    expect(equalItem('Params', { a: [1, 2] })({ Params: { a: [2, 1] } })).toBe(false)
    expect(equalItem('Missing', undefined)({ Other: 1 })).toBe(false)
    expect(equalItem('N', 1)({ N: 1.0 })).toBe(true)
  })
})
