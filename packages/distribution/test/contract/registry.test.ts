import { basicAuth, registryTokenAuth } from '@wharf/auth'
import { type RunningRegistry, registryBinary, startRegistry } from '@wharf/tooling/registry'
import { describe } from 'vitest'
import { type ContractTarget, contractSuite } from './suite.js'

const binary = registryBinary()
if (!binary) {
  console.warn(
    '\n!!! docker-registry is NOT installed: the real-registry contract suites are SKIPPED.\n' +
      '!!! Install it with: apt-get install docker-registry apache2-utils (CI does).\n',
  )
}

const basic = (u: { username: string; password: string }) =>
  `Basic ${Buffer.from(`${u.username}:${u.password}`).toString('base64')}`

/** A fetch with full access to the running registry, independent of the client under test. */
function rawFetch(registry: RunningRegistry) {
  return async (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers)
    const user = registry.users[0]!
    if (registry.auth === 'basic') headers.set('authorization', basic(user))
    if (registry.auth === 'token') {
      const name = /^\/v2\/(.+?)\/(?:blobs|manifests|tags|referrers)\//.exec(path)?.[1] ?? ''
      const url = new URL(registry.tokenServer!.realm)
      url.searchParams.set('service', registry.tokenServer!.service)
      url.searchParams.set('scope', `repository:${name}:pull,push,delete`)
      const answer = await fetch(url, { headers: { authorization: basic(user) } })
      headers.set('authorization', `Bearer ${((await answer.json()) as { token: string }).token}`)
    }
    return fetch(new URL(path, registry.url), { ...init, headers })
  }
}

function realTarget(mode: 'none' | 'basic' | 'token') {
  return async (): Promise<ContractTarget> => {
    const registry = await startRegistry({ auth: mode })
    const user = registry.users[0]!
    const wrong = { username: user.username, password: 'wrong-password' }
    return {
      url: registry.url,
      ...(mode === 'basic'
        ? { auth: () => basicAuth(user), badAuth: () => basicAuth(wrong) }
        : mode === 'token'
          ? {
              auth: () => registryTokenAuth({ credentials: user }),
              badAuth: () => registryTokenAuth({ credentials: wrong }),
            }
          : {}),
      ...(registry.tokenServer
        ? { tokenScopes: () => registry.tokenServer!.requests.map((r) => r.scopes) }
        : {}),
      raw: rawFetch(registry),
      capabilities: { referrersApi: false, tagPagination: false, tagParameters: false },
      close: () => registry.close(),
    }
  }
}

describe.skipIf(!binary)('real CNCF registry 2.8', () => {
  contractSuite('registry 2.8, open', { auth: false }, realTarget('none'))
  contractSuite('registry 2.8, htpasswd basic auth', { auth: true }, realTarget('basic'))
  contractSuite(
    'registry 2.8, token auth (our ES256 token server)',
    { auth: true },
    realTarget('token'),
  )
})
