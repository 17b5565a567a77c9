import { inspect } from 'node:util'
import { createHttpClient, HttpError } from '@wharf/core-http'
import { type RunningServer, serve } from '@wharf/core-http/node'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { bakeryAuth, DischargeError, InteractionRequiredError, memoryJar } from '../src/index.js'
import { type BakeryWorldOptions, bakeryWorld } from './bakery-world.js'
import { failure } from './support.js'

const servers: RunningServer[] = []
afterEach(async () => {
  vi.useRealTimers()
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function start(options: BakeryWorldOptions = {}) {
  const world = bakeryWorld(options)
  const store = await serve((r) => world.store(r))
  const discharger = await serve((r) => world.discharger(r))
  const second = await serve((r) => world.discharger(r))
  servers.push(store, discharger, second)
  world.storeOrigin = store.url
  world.dischargerOrigin = discharger.url
  world.secondOrigin = second.url
  return { world, store: `${store.url}/charmstore`, discharger: discharger.url }
}

describe('bakeryAuth', () => {
  it('discharges a third-party caveat, stores the cookie and resends once', async () => {
    const { world, store } = await start()
    const client = createHttpClient({ baseUrl: store, auth: bakeryAuth() })
    expect(await client.json('/v5/whoami')).toEqual({ User: 'alice' })
    expect(await client.json('/v5/whoami')).toEqual({ User: 'alice' })

    expect(
      world.storeLog.map((r) => [r.status, r.version, r.cookie?.split('=')[0] ?? null]),
    ).toEqual([
      [401, '3', null],
      [200, '3', 'macaroon-authn'],
      [200, '3', 'macaroon-authn'],
    ])
    expect(world.dischargeLog).toHaveLength(1)
    expect(world.dischargeLog[0]!.form.get('id')).toMatch(/^is-authenticated-user /)
    // The cookie path came from MacaroonPath "../": the whole /charmstore/ tree gets it.
    expect(await client.json('/elsewhere-in-the-store')).toEqual({
      User: 'alice',
    })
  })

  it('shares one discharge (and one login) between concurrent refused requests', async () => {
    const { world, store } = await start({ mode: 'interaction' })
    let logins = 0
    const auth = bakeryAuth({
      interact: async (url) => {
        logins++
        await fetch(url)
      },
    })
    const client = createHttpClient({ baseUrl: store, auth })
    const answers = await Promise.all(Array.from({ length: 4 }, () => client.json('/v5/whoami')))
    expect(answers).toEqual(Array(4).fill({ User: 'alice' }))
    expect(logins).toBe(1)
    expect(world.dischargeLog).toHaveLength(2) // refused once, then discharged with the token
  })

  it('handles the 407 form of older servers', async () => {
    // Node's fetch (undici) turns every 407 into a network error, as the Fetch standard says,
    // so this response can only arrive through a custom fetch: here one that calls the server's
    // handler directly.
    const { world, store } = await start({ always407: true })
    const direct = (input: string | URL | Request, init?: RequestInit) =>
      world.store(new Request(input, init))
    const client = createHttpClient({ baseUrl: store, fetch: direct, auth: bakeryAuth() })
    expect(await client.json('/v5/whoami')).toEqual({ User: 'alice' })
    expect(world.storeLog.map((r) => r.status)).toEqual([407, 200])
  })

  it('decodes the bakery v3 wrapper and forwards its caveat data', async () => {
    const { world, store } = await start({ v3Wrapper: true })
    const client = createHttpClient({ baseUrl: store, auth: bakeryAuth() })
    expect(await client.json('/v5/whoami')).toEqual({ User: 'alice' })
    expect(world.dischargeLog[0]!.form.get('caveat64')).toBe(
      Buffer.from('caveat-data').toString('base64url'),
    )
  })

  it('discharges third-party caveats found on discharges, at their own locations', async () => {
    const { world, store } = await start({ nested: true })
    const client = createHttpClient({ baseUrl: store, auth: bakeryAuth() })
    expect(await client.json('/v5/whoami')).toEqual({ User: 'alice' })
    expect(world.dischargeLog.map((d) => [d.origin, d.form.get('id')?.split(' ')[0]])).toEqual([
      [world.dischargerOrigin, 'is-authenticated-user'],
      [world.secondOrigin, 'has-agreed'],
    ])
  })

  it('fails with InteractionRequiredError carrying the visit URL when nobody can log in', async () => {
    const { world, store, discharger } = await start({ mode: 'interaction' })
    const client = createHttpClient({ baseUrl: store, auth: bakeryAuth() })
    const error = await failure(client.json('/v5/whoami'))
    expect(error).toBeInstanceOf(InteractionRequiredError)
    expect(error.code).toBe('ERR_INTERACTION_REQUIRED')
    expect(error.visitUrl).toBe(`${discharger}/login?w=1`)
    expect(world.storeLog).toHaveLength(1)
  })

  it('lets the caller log in (browser-window) and retries the discharge with the token', async () => {
    const { world, store, discharger } = await start({ mode: 'interaction' })
    const visits: string[] = []
    const auth = bakeryAuth({
      interact: async (url) => {
        visits.push(url)
        await fetch(url) // "the user logs in"
      },
    })
    const client = createHttpClient({ baseUrl: store, auth })
    expect(await client.json('/v5/whoami')).toEqual({ User: 'alice' })
    expect(visits).toEqual([`${discharger}/login?w=1`])
    expect(world.dischargeLog.map((d) => [d.form.get('token'), d.form.get('token-kind')])).toEqual([
      [null, null],
      ['tok-xyz', 'browser-window'],
    ])
  })

  it('supports the legacy VisitURL/WaitURL interaction', async () => {
    const { world, store, discharger } = await start({ mode: 'legacy' })
    const visits: string[] = []
    const auth = bakeryAuth({
      interact: async (url) => {
        visits.push(url)
        await fetch(url)
      },
    })
    const client = createHttpClient({ baseUrl: store, auth })
    expect(await client.json('/v5/whoami')).toEqual({ User: 'alice' })
    expect(visits).toEqual([`${discharger}/login`])
    expect(world.dischargeLog).toHaveLength(1)
  })

  it('reports a refused discharge as DischargeError', async () => {
    const { store } = await start({ mode: 'refuse' })
    const error = await failure(
      createHttpClient({ baseUrl: store, auth: bakeryAuth() }).json('/v5/whoami'),
    )
    expect(error).toBeInstanceOf(DischargeError)
    expect(error.message).toContain('no way, José')
  })

  it('refuses caveat locations and visit URLs that are not http(s)', async () => {
    for (const options of [
      { caveatLocation: 'file:///etc/passwd' },
      { mode: 'interaction' as const, visitUrl: 'javascript:alert(1)' },
    ]) {
      const { store } = await start(options)
      const error = await failure(
        createHttpClient({ baseUrl: store, auth: bakeryAuth({ interact: async () => {} }) }).json(
          '/v5/whoami',
        ),
      )
      expect(error).toBeInstanceOf(DischargeError)
    }
  })

  it('does not discharge on a bare 401', async () => {
    const server = await serve(() =>
      Response.json({ Code: 'unauthorized', Message: 'go away' }, { status: 401 }),
    )
    servers.push(server)
    const error = await failure(
      createHttpClient({ baseUrl: server.url, auth: bakeryAuth() }).json('/v5/whoami'),
    )
    expect(error).toBeInstanceOf(HttpError)
    expect(error.status).toBe(401)
  })

  it('drops the cookie when its time-before caveat has passed, and discharges again', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const { world, store } = await start()
    const client = createHttpClient({ baseUrl: store, auth: bakeryAuth() })
    await client.json('/v5/whoami')
    vi.setSystemTime(Date.now() + 86_400_001)
    expect(await client.json('/v5/whoami')).toEqual({ User: 'alice' })
    expect(world.storeLog.map((r) => [r.status, !!r.cookie])).toEqual([
      [401, false],
      [200, true],
      [401, false],
      [200, true],
    ])
  })

  it('keeps cookies per origin in a shared jar and never prints them', async () => {
    const one = await start()
    const two = await start()
    const jar = memoryJar()
    const auth = bakeryAuth({ jar })
    await createHttpClient({ baseUrl: one.store, auth }).json('/v5/whoami')
    await createHttpClient({ baseUrl: two.store, auth }).json('/v5/whoami')
    expect(two.world.storeLog[0]!.cookie).toBeNull()
    const cookie = (await jar.get(new URL(`${one.store}/v5/x`)))[0]!
    expect(cookie.name).toBe('macaroon-authn')
    expect(cookie.path).toBe('/charmstore/')
    expect(`${inspect(auth)} ${JSON.stringify(auth)}`).not.toContain(cookie.value)
  })
})
