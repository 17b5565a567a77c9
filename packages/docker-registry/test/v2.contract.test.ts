import { registryBinary, startRegistry } from '@wharf/tooling/registry'
import { describe } from 'vitest'
import { startMock } from './backends.js'
import { type V2Target, v2Suite } from './v2-suite.js'

const USER = { username: 'wharf', password: 'wharf-secret' }

function mockTarget(kind: 'msw' | 'http', auth?: 'basic' | 'token') {
  return async (): Promise<V2Target> => {
    const backend = await startMock(kind, auth ? { auth: { type: auth, ...USER } } : {})
    return {
      url: backend.url,
      ...(auth ? { authConfig: { ...USER } } : {}),
      close: () => backend.close(),
    }
  }
}

function realTarget(auth: 'none' | 'basic' | 'token') {
  return async (): Promise<V2Target> => {
    const registry = await startRegistry({ auth, users: [USER] })
    return {
      url: registry.url,
      ...(auth === 'none' ? {} : { authConfig: { ...USER } }),
      close: () => registry.close(),
    }
  }
}

describe('V2 contract against the mock', () => {
  v2Suite('mock over msw, open', { auth: false }, mockTarget('msw'))
  v2Suite('mock over http, token auth', { auth: true }, mockTarget('http', 'token'))
  v2Suite('mock over msw, basic auth', { auth: true }, mockTarget('msw', 'basic'))
})

const binary = registryBinary()
if (!binary) {
  console.warn(
    '\n!!! docker-registry is NOT installed: the real-registry V2 contract suites are SKIPPED.\n' +
      '!!! Install it with: apt-get install docker-registry apache2-utils (CI does).\n',
  )
}

describe.skipIf(!binary)('V2 contract against the real CNCF registry 2.8', () => {
  v2Suite('registry 2.8, open', { auth: false }, realTarget('none'))
  v2Suite('registry 2.8, htpasswd basic auth', { auth: true }, realTarget('basic'))
  v2Suite('registry 2.8, token auth', { auth: true }, realTarget('token'))
})
