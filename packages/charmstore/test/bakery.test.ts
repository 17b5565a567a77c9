import { bakeryAuth, DischargeError, InteractionRequiredError } from '@wharf/auth'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createCharmStoreClient, ErrorCode, isAuthorizationError } from '../src/index.js'
import { charmZip, startStore, unexpected } from './fixtures.js'

describe('macaroon login through the third-party discharger', () => {
  let env: Awaited<ReturnType<typeof startStore>>
  beforeAll(async () => {
    env = await startStore({ groups: { alice: ['charmers'] } })
    await env.client.uploadCharm('~bob/trusty/private', charmZip('private'))
  })
  afterAll(() => env.close())
  beforeEach(() => {
    for (const key of Object.keys(env.mock.state.discharger))
      delete (env.mock.state.discharger as any)[key]
  })
  const bakeryClient = (interact?: (url: string) => Promise<void>) =>
    createCharmStoreClient({
      url: env.server.url,
      auth: bakeryAuth(interact ? { interact } : {}),
      http: { retry: 0 },
    })

  it('discharges the store’s macaroon, keeps the cookie and needs no second discharge', async () => {
    env.mock.state.discharger.user = 'alice'
    const client = bakeryClient()
    const before = env.mock.state.bakery.discharges
    expect(await client.whoAmI()).toEqual({ User: 'alice', Groups: ['charmers'] })
    const flow = env.mock.requests.slice(-3)
    expect(flow.map((r) => `${r.server} ${r.method} ${r.path}`)).toEqual([
      'store GET /whoami',
      'discharger POST /discharge',
      'store GET /whoami',
    ])
    expect(flow[0]!.headers.get('bakery-protocol-version')).toBe('3')
    expect(flow[2]!.headers.get('cookie')).toMatch(/^macaroon-authn=/)
    await client.whoAmI()
    expect(env.mock.state.bakery.discharges).toBe(before + 1)
  })

  it('uploads log in first, then the archive goes with the macaroon', async () => {
    env.mock.state.discharger.user = 'alice'
    const client = bakeryClient()
    const id = await client.uploadCharm('~alice/trusty/mine', charmZip('mine'))
    expect(id.toString()).toBe('cs:~alice/trusty/mine-0')
    const paths = env.mock.requests
      .slice(-4)
      .map((r) => `${r.server} ${r.method} ${r.path.split('?')[0]}`)
    expect(paths).toEqual([
      'store GET /delegatable-macaroon',
      'discharger POST /discharge',
      'store GET /delegatable-macaroon',
      'store POST /~alice/trusty/mine/archive',
    ])
    const denied = await client
      .putExtraInfo('~bob/trusty/private-0', { a: 1 })
      .then(unexpected, (e: any) => e)
    expect(denied.storeCode).toBe(ErrorCode.Unauthorized)
    expect(isAuthorizationError(denied)).toBe(true)
  })

  it('interacts through the visit URL when the discharger asks for a login', async () => {
    env.mock.state.discharger.interactiveUser = 'carol'
    const visited: string[] = []
    const client = bakeryClient(async (url) => {
      visited.push(url)
      await fetch(url).then((r) => r.text())
    })
    await client.login()
    expect(visited).toHaveLength(1)
    expect(new URL(visited[0]!).origin).toBe(env.server.dischargerUrl)
    expect((await client.whoAmI()).User).toBe('carol')
  })

  it('a needed interaction without a callback is an authorization error', async () => {
    env.mock.state.discharger.interactiveUser = 'carol'
    const error = await bakeryClient()
      .whoAmI()
      .then(unexpected, (e: any) => e)
    expect(error).toBeInstanceOf(InteractionRequiredError)
    expect(isAuthorizationError(error)).toBe(true)
  })

  it('a refused discharge is an authorization error', async () => {
    env.mock.state.discharger.refuse = true
    const error = await bakeryClient()
      .whoAmI()
      .then(unexpected, (e: any) => e)
    expect(error).toBeInstanceOf(DischargeError)
    expect(isAuthorizationError(error)).toBe(true)
  })

  it('forged or foreign macaroons are not accepted', async () => {
    const client = createCharmStoreClient({
      url: env.server.url,
      headers: { cookie: `macaroon-authn=${btoa('[{"l":"x","i":"nope","s64":"AAAA"}]')}` },
      http: { retry: 0 },
    })
    const error = await client.whoAmI().then(unexpected, (e: any) => e)
    expect(error.storeCode).toBe(ErrorCode.DischargeRequired)
  })
})
