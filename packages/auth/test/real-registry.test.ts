import { createHash } from 'node:crypto'
import { createHttpClient, HttpError } from '@wharf/core-http'
import { type RunningRegistry, registryBinary, startRegistry } from '@wharf/tooling/registry'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AuthError, registryTokenAuth, scopeFor } from '../src/index.js'
import { failure } from './support.js'

const installed = registryBinary() !== undefined
if (!installed) {
  console.warn(
    '\n!!! docker-registry is NOT installed: the real-registry auth suites are SKIPPED.\n' +
      '!!! Install it with: apt-get install docker-registry apache2-utils (CI does).\n',
  )
}

const alice = { username: 'alice', password: 'alice-pw' }
const reader = { username: 'reader', password: 'reader-pw' }

/** Pushes `bytes` as a blob with a monolithic upload; returns its digest. */
async function pushBlob(
  client: ReturnType<typeof createHttpClient>,
  repo: string,
  bytes: Uint8Array,
) {
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`
  const context = { scopes: [scopeFor(repo, 'pull,push')] }
  const started = await client.request(`/v2/${repo}/blobs/uploads/`, { method: 'POST', context })
  const location = new URL(started.headers.get('location')!, client.baseUrl)
  location.searchParams.set('digest', digest)
  const done = await client.request(location, { method: 'PUT', body: bytes, context })
  expect(done.status).toBe(201)
  return digest
}

describe.skipIf(!installed)('registryTokenAuth against the CNCF registry 2.8 (token auth)', () => {
  let registry: RunningRegistry
  beforeAll(async () => {
    registry = await startRegistry({
      auth: 'token',
      users: [
        { ...alice, access: { 'acme/app': ['pull', 'push'], 'acme/base': ['pull', 'push'] } },
        { ...reader, access: { 'acme/app': ['pull'] } },
      ],
    })
  })
  afterAll(() => registry?.close())

  const client = (credentials = alice) =>
    createHttpClient({ baseUrl: registry.url, retry: 0, auth: registryTokenAuth({ credentials }) })

  it('pings, pushes a blob with pull,push and pulls it back with pull', async () => {
    const c = client()
    expect((await c.request('/v2/')).status).toBe(200)
    const bytes = new TextEncoder().encode('hello from wharf')
    const digest = await pushBlob(c, 'acme/app', bytes)
    const pulled = await c.request(`/v2/acme/app/blobs/${digest}`, {
      context: { scopes: [scopeFor('acme/app', 'pull')] },
    })
    expect(new Uint8Array(await pulled.bytes())).toEqual(bytes)
    const requests = registry.tokenServer!.requests.slice(-3)
    expect(requests).toEqual([
      { account: 'alice', scopes: [], granted: true },
      { account: 'alice', scopes: ['repository:acme/app:pull,push'], granted: true },
      { account: 'alice', scopes: ['repository:acme/app:pull'], granted: true },
    ])
  })

  it('mounts a blob across repositories with one token for both scopes', async () => {
    const c = client()
    const digest = await pushBlob(c, 'acme/base', new TextEncoder().encode('shared layer'))
    const before = registry.tokenServer!.requests.length
    const mounted = await c.request(`/v2/acme/app/blobs/uploads/?mount=${digest}&from=acme/base`, {
      method: 'POST',
      context: { scopes: [scopeFor('acme/app', 'pull,push'), scopeFor('acme/base', 'pull')] },
    })
    expect(mounted.status).toBe(201)
    expect(registry.tokenServer!.requests.slice(before)).toEqual([
      {
        account: 'alice',
        scopes: ['repository:acme/app:pull,push', 'repository:acme/base:pull'],
        granted: true,
      },
    ])
  })

  it('a reader gets a pull-only token and the registry refuses the push after one resend', async () => {
    const error = await failure(
      client(reader).request('/v2/acme/app/blobs/uploads/', {
        method: 'POST',
        context: { scopes: [scopeFor('acme/app', 'pull,push')] },
      }),
    )
    expect(error).toBeInstanceOf(HttpError)
    expect(error.status).toBe(401)
    expect(error.headers.get('www-authenticate')).toContain('insufficient_scope')
  })

  it('turns a wrong password into ERR_TOKEN without printing it', async () => {
    const error = await failure(
      client({ username: 'alice', password: 'wrong-pw-123' }).request('/v2/'),
    )
    expect(error).toBeInstanceOf(AuthError)
    expect(error.code).toBe('ERR_TOKEN')
    expect(error.message).not.toContain('wrong-pw-123')
  })
})

describe.skipIf(!installed)('registryTokenAuth against the CNCF registry 2.8 (htpasswd)', () => {
  let registry: RunningRegistry
  beforeAll(async () => {
    registry = await startRegistry({ auth: 'basic', users: [alice] })
  })
  afterAll(() => registry?.close())

  it('falls back to basic credentials on the Basic challenge', async () => {
    const c = createHttpClient({
      baseUrl: registry.url,
      retry: 0,
      auth: registryTokenAuth({ credentials: alice }),
    })
    expect((await c.request('/v2/')).status).toBe(200)
    const digest = await pushBlob(c, 'acme/app', new TextEncoder().encode('basic'))
    expect(digest).toMatch(/^sha256:/)
  })

  it('gives up after one resend with wrong credentials', async () => {
    const c = createHttpClient({
      baseUrl: registry.url,
      retry: 0,
      auth: registryTokenAuth({ credentials: { username: 'alice', password: 'nope' } }),
    })
    const error = await failure(c.request('/v2/'))
    expect(error).toBeInstanceOf(HttpError)
    expect(error.status).toBe(401)
  })
})
