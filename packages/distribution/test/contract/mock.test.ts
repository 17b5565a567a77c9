import { basicAuth, registryTokenAuth } from '@wharf/auth'
import { setupServer } from 'msw/node'
import { afterAll, beforeAll, describe } from 'vitest'
import { createMockRegistry, type MockAuth } from '../../src/mock/index.js'
import { type ContractTarget, contractSuite } from './suite.js'

const user = { username: 'wharf', password: 'wharf-secret' }
const msw = setupServer()
beforeAll(() => msw.listen({ onUnhandledRequest: 'bypass' }))
afterAll(() => msw.close())

/** The mock with full-access raw fetches (credentials added for its auth mode). */
function mockTarget(transport: 'msw' | 'http', auth: MockAuth['type'], referrersApi = true) {
  return async (): Promise<ContractTarget> => {
    const mockAuth: MockAuth =
      auth === 'none'
        ? { type: 'none' }
        : auth === 'basic'
          ? { type: 'basic', ...user }
          : { type: 'token', ...user }
    const registry = createMockRegistry({ auth: mockAuth, referrersApi })
    let url = 'http://registry.mock'
    let close = async () => {}
    if (transport === 'msw') {
      msw.use(...registry.handlers())
      close = async () => msw.resetHandlers()
    } else ({ url, close } = await registry.listen())
    const header = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`
    const raw = async (path: string, init: RequestInit = {}) => {
      const headers = new Headers(init.headers)
      if (auth === 'basic') headers.set('authorization', header)
      if (auth === 'token') {
        const name = /^\/v2\/(.+?)\/(?:blobs|manifests|tags|referrers)\//.exec(path)?.[1] ?? ''
        const challenge = await fetch(new URL(path, url), { method: 'HEAD' })
        const realm = /realm="([^"]+)"/.exec(challenge.headers.get('www-authenticate') ?? '')![1]!
        const service =
          /service="([^"]+)"/.exec(challenge.headers.get('www-authenticate') ?? '')?.[1] ?? ''
        const tokenUrl = new URL(realm)
        tokenUrl.searchParams.set('service', service)
        tokenUrl.searchParams.set('scope', `repository:${name}:pull,push,delete`)
        const answer = await fetch(tokenUrl, { headers: { authorization: header } })
        headers.set('authorization', `Bearer ${((await answer.json()) as { token: string }).token}`)
      }
      return fetch(new URL(path, url), { ...init, headers })
    }
    const insecure = transport === 'msw' // registry.mock is not loopback: allow plain HTTP credentials
    return {
      url,
      ...(auth === 'basic'
        ? {
            auth: () => basicAuth({ ...user, allowInsecure: insecure }),
            badAuth: () => basicAuth({ ...user, password: 'wrong', allowInsecure: insecure }),
          }
        : auth === 'token'
          ? {
              auth: () =>
                registryTokenAuth({
                  credentials: user,
                  allowInsecureRealm: insecure,
                  allowInsecureRegistry: insecure,
                }),
              badAuth: () =>
                registryTokenAuth({
                  credentials: { ...user, password: 'wrong' },
                  allowInsecureRealm: insecure,
                  allowInsecureRegistry: insecure,
                }),
            }
          : {}),
      ...(auth === 'token'
        ? {
            tokenScopes: () =>
              registry.requests
                .filter((r) => new URL(r.url).pathname === '/token')
                .map((r) =>
                  new URL(r.url).searchParams.getAll('scope').flatMap((s) => s.split(' ')),
                ),
          }
        : {}),
      raw,
      capabilities: { referrersApi, tagPagination: true, tagParameters: true },
      close,
    }
  }
}

describe('mock registry', () => {
  contractSuite('mock via msw, open', { auth: false }, mockTarget('msw', 'none'))
  contractSuite(
    'mock via msw, without the referrers API',
    { auth: false },
    mockTarget('msw', 'none', false),
  )
  contractSuite('mock via msw, basic auth', { auth: true }, mockTarget('msw', 'basic'))
  contractSuite('mock via msw, token auth', { auth: true }, mockTarget('msw', 'token'))
  contractSuite('mock on 127.0.0.1, token auth', { auth: true }, mockTarget('http', 'token'))
})
