import { TooManyRequestsError } from '@wharf/distribution'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createEndpoint,
  createSession,
  DOCKER_ACCEPT_WITH_SCHEMA1,
  DockerMediaType,
  parseDockerRef,
  parseRateLimit,
} from '../src/index.js'
import { type Backend, KINDS, startMock } from './backends.js'
import { EMPTY_LAYER, EMPTY_LAYER_DIGEST, schema1, sha256 } from './fixtures.js'

const enc = (s: string) => new TextEncoder().encode(s)

describe.each(KINDS)('Docker V2 dialect of the mock over %s', (kind) => {
  let backend: Backend
  afterEach(async () => backend?.close())
  const session = (options = {}) =>
    createSession(createEndpoint(backend.url), { retry: 0, ...options })

  it('stores a signed schema 1 manifest under its payload digest and serves it back', async () => {
    backend = await startMock(kind)
    const s = session()
    const { signed, digest, bodyDigest } = schema1()
    await s.putV2ImageBlob('acme/app', EMPTY_LAYER)
    const put = await s.putV2ImageManifest('acme/app', 'v1', signed)
    expect(put).toEqual({ mediaType: DockerMediaType.ManifestV1Signed, digest, size: 348 })
    expect(backend.mock.schema1Tags('acme/app')).toEqual({ v1: digest })

    const byTag = await s.getV2ImageManifest('acme/app', 'v1', {
      accept: DOCKER_ACCEPT_WITH_SCHEMA1,
    })
    expect(byTag.descriptor).toEqual({
      mediaType: DockerMediaType.ManifestV1Signed,
      digest,
      size: 348,
    })
    expect(byTag.descriptor.digest).not.toBe(bodyDigest)
    expect(byTag.bytes).toEqual(signed)
    expect(byTag.schema1?.layers).toEqual([
      {
        digest: EMPTY_LAYER_DIGEST,
        v1Compatibility: { id: '3f1a', created: '2020-01-01T00:00:00Z' },
      },
    ])
    const byDigest = await s.getV2ImageManifest('acme/app', digest, {
      accept: DOCKER_ACCEPT_WITH_SCHEMA1,
    })
    expect(byDigest.descriptor.digest).toBe(digest)
    expect(await s.getV2RemoteTags('acme/app')).toEqual(['v1'])
    const request = backend.mock.requests.filter((r) => r.url.endsWith('/manifests/v1')).at(-1)!
    expect(request.headers.accept).toContain(DockerMediaType.ManifestV1Signed)
  })

  it('refuses schema 1 pushes with the wrong name, a missing layer or a wrong digest', async () => {
    backend = await startMock(kind)
    const s = session()
    await expect(s.putV2ImageManifest('acme/app', 'v1', schema1().signed)).rejects.toMatchObject({
      code: 'ERR_MANIFEST_BLOB_UNKNOWN',
    })
    await s.putV2ImageBlob('acme/app', EMPTY_LAYER)
    await expect(
      s.putV2ImageManifest('acme/app', 'v1', schema1('other/name').signed),
    ).rejects.toMatchObject({
      code: 'ERR_NAME_INVALID',
    })
    await expect(s.putV2ImageManifest('acme/app', 'v2', schema1().signed)).rejects.toMatchObject({
      status: 400,
    })
    // a digest reference that is not the payload digest is caught before anything is sent
    const before = backend.mock.requests.length
    await expect(
      s.putV2ImageManifest('acme/app', schema1().bodyDigest, schema1().signed),
    ).rejects.toMatchObject({
      code: 'ERR_DIGEST_MISMATCH',
    })
    expect(backend.mock.requests.length).toBe(before)
  })

  it('detects a manifest whose bytes do not match the digest the registry announced', async () => {
    backend = await startMock(kind)
    await session().putV2ImageBlob('acme/app', EMPTY_LAYER)
    await session().putV2ImageManifest('acme/app', 'v1', schema1().signed)
    const tampering = async (input: string | URL | Request, init?: RequestInit) => {
      const response = await backend.mock.handle(new Request(input, init))
      if (!String(input instanceof Request ? input.url : input).includes('/manifests/'))
        return response
      const text = (await response.text()).replace('amd64', 'arm64')
      return new Response(text, { status: response.status, headers: response.headers })
    }
    const s = session({ fetch: tampering })
    await expect(
      s.getV2ImageManifest('acme/app', 'v1', { accept: DOCKER_ACCEPT_WITH_SCHEMA1 }),
    ).rejects.toMatchObject({
      code: 'ERR_DIGEST_MISMATCH',
    })
  })
})

describe.each(KINDS)('the mock posing as Docker Hub over %s', (kind) => {
  let backend: Backend
  afterEach(async () => backend?.close())

  const hubSession = () =>
    createSession('docker.io', {
      hub: { registry: backend.url, index: `${backend.url}/v1/` },
      retry: { limit: 1, maxRetryAfter: 5_000 },
    })

  async function seedImage(mock: Backend['mock']) {
    const config = enc('{"os":"linux"}')
    const manifest = enc(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: DockerMediaType.ManifestV2,
        config: {
          mediaType: DockerMediaType.ImageConfig,
          size: config.byteLength,
          digest: sha256(config),
        },
        layers: [],
      }),
    )
    const s = createSession(createEndpoint(backend.url), { retry: 0 })
    await s.putV2ImageBlob('library/ubuntu', config)
    await s.putV2ImageManifest('library/ubuntu', 'latest', manifest, {
      mediaType: DockerMediaType.ManifestV2,
    })
    mock.requests.length = 0
    return manifest
  }

  it('pulls ubuntu with an anonymous registry.docker.io token and reports the rate limit', async () => {
    backend = await startMock(kind, { hub: true, rateLimit: { limit: 3, window: 21600 } })
    const manifest = await seedImage(backend.mock)
    const ref = parseDockerRef('ubuntu')
    const s = hubSession()
    expect(s.endpoint.hub).toBe(true)
    const got = await s.getV2ImageManifest(ref.path, ref.tag!)
    expect(got.bytes).toEqual(manifest)
    // the 401 that fetched the token did not count: one pull
    expect(got.rateLimit).toEqual({ limit: 3, remaining: 2, window: 21600, source: '127.0.0.1' })
    expect(s.rateLimit).toEqual(got.rateLimit)
    const token = backend.mock.distribution.requests.find(
      (r) => new URL(r.url).pathname === '/token',
    )!
    expect(new URL(token.url).searchParams.get('service')).toBe('registry.docker.io')
    expect(new URL(token.url).searchParams.get('scope')).toBe('repository:library/ubuntu:pull')
  })

  it('answers 429 TOOMANYREQUESTS when the limit is spent, with the headers on the error', async () => {
    backend = await startMock(kind, {
      hub: true,
      rateLimit: { limit: 1, remaining: 0, retryAfter: 60 },
    })
    await seedImage(backend.mock)
    const error = await hubSession()
      .getV2ImageManifest('library/ubuntu', 'latest')
      .catch((e) => e)
    expect(error).toBeInstanceOf(TooManyRequestsError)
    expect(error.status).toBe(429)
    expect(parseRateLimit(error)).toMatchObject({ limit: 1, remaining: 0 })
    // Retry-After (60 s) is longer than maxRetryAfter: no retry, one GET
    expect(
      backend.mock.requests.filter((r) => r.method === 'GET' && r.url.includes('/manifests/')),
    ).toHaveLength(1)
  })

  it('retries a 429 after Retry-After and succeeds once pulls are allowed again', async () => {
    backend = await startMock(kind, {
      hub: true,
      rateLimit: { limit: 5, remaining: 0, retryAfter: 1 },
    })
    await seedImage(backend.mock)
    const rateLimit = backend.mock.rateLimit!
    const pending = hubSession().getV2ImageManifest('library/ubuntu', 'latest')
    setTimeout(() => {
      rateLimit.remaining = 5
    }, 200)
    const started = Date.now()
    const got = await pending
    expect(Date.now() - started).toBeGreaterThanOrEqual(900)
    expect(got.rateLimit?.remaining).toBe(4)
    const statuses = backend.mock.requests.filter(
      (r) => r.method === 'GET' && r.url.includes('/manifests/'),
    )
    // 429 (waited out), 401 (token fetched), 200
    expect(statuses).toHaveLength(3)
  })

  it('deletes like Hub: by digest only, never a manifest a tag still names', async () => {
    backend = await startMock(kind, { hub: true })
    const manifest = await seedImage(backend.mock)
    const repo = hubSession().repository('library/ubuntu')
    await expect(repo.deleteManifest(sha256(manifest))).rejects.toMatchObject({
      status: 403,
      code: 'ERR_DENIED',
    })
    const byTag = await backend.mock.handle(
      new Request(`${backend.url}/v2/library/ubuntu/manifests/latest`, {
        method: 'DELETE',
        headers: { authorization: 'Bearer anything' },
      }),
    )
    expect(byTag.status).toBe(405)
    expect(backend.mock.distribution.tags('library/ubuntu')).toEqual(['latest'])
    // an untagged manifest can go (the same document with a trailing newline: other bytes, other digest)
    const loose = enc(`${new TextDecoder().decode(manifest)}\n`)
    const digest = sha256(loose)
    await hubSession().putV2ImageManifest('library/ubuntu', digest, loose, {
      mediaType: DockerMediaType.ManifestV2,
    })
    await repo.deleteManifest(digest)
    expect(backend.mock.distribution.manifest('library/ubuntu', digest)).toBeUndefined()
  })

  it('HEAD does not count against the limit', async () => {
    backend = await startMock(kind, { hub: true, rateLimit: { limit: 2 } })
    await seedImage(backend.mock)
    const s = hubSession()
    await s.repository('library/ubuntu').headManifest('latest')
    expect(s.rateLimit).toMatchObject({ limit: 2, remaining: 2 })
    expect(backend.mock.rateLimit?.remaining ?? 2).toBe(2)
  })
})
