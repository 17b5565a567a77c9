import { createHash, randomBytes } from 'node:crypto'
import { basicAuth } from '@wharf/auth'
import { BodyTooLargeError, NetworkError, ParseError, WharfError } from '@wharf/core-http'
import { DigestMismatchError, SizeMismatchError } from '@wharf/transfer'
import { http, HttpResponse as MswResponse } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  catalog,
  copy,
  createRegistryClient,
  type ImageManifest,
  InvalidManifestError,
  ManifestUnknownError,
  MediaType,
  NotOciError,
  TooManyRequestsError,
  UnknownMediaTypeError,
  UploadLocationError,
} from '../src/index.js'
import { createMockRegistry, type MockRegistry } from '../src/mock/index.js'

const sha256 = (b: Uint8Array | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`
const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v))
const user = { username: 'u', password: 'secret-password' }

const msw = setupServer()
beforeAll(() => msw.listen({ onUnhandledRequest: 'error' }))
afterEach(() => msw.resetHandlers())
afterAll(() => msw.close())

function useMock(options: Parameters<typeof createMockRegistry>[0] = {}): MockRegistry {
  const registry = createMockRegistry(options)
  msw.use(...registry.handlers())
  return registry
}

const client = (auth = false) =>
  createRegistryClient({
    registry: 'http://registry.mock',
    retry: { limit: 2, delay: 1 },
    ...(auth ? { auth: basicAuth({ ...user, allowInsecure: true }) } : {}),
  })

const manifestOf = (config: Uint8Array, layers: Uint8Array[]): ImageManifest => ({
  schemaVersion: 2,
  mediaType: MediaType.ImageManifest,
  config: { mediaType: MediaType.ImageConfig, digest: sha256(config), size: config.byteLength },
  layers: layers.map((l) => ({
    mediaType: MediaType.ImageLayer,
    digest: sha256(l),
    size: l.byteLength,
  })),
})

describe('server-supplied URLs are untrusted', () => {
  it('follows a blob redirect to storage without sending credentials there', async () => {
    const registry = useMock({ auth: { type: 'basic', ...user } })
    const repo = client(true).repository('acme/app')
    const bytes = randomBytes(4000)
    await repo.pushBlob(bytes)
    registry.faults.redirectBlobs = true
    const read = await new Response(await repo.getBlob(sha256(bytes))).arrayBuffer()
    expect(sha256(new Uint8Array(read))).toBe(sha256(bytes))
    const storage = registry.requests.filter((r) => r.url.startsWith('http://storage.mock'))
    expect(storage).toHaveLength(1)
    expect(storage[0]!.headers.authorization).toBeUndefined()
    const toRegistry = registry.requests.filter((r) =>
      r.url.startsWith('http://registry.mock/v2/acme/app/blobs/sha256:'),
    )
    expect(toRegistry.at(-1)!.headers.authorization).toBeDefined()
  })

  it('sends no credentials to an upload Location on another origin, and refuses non-http ones', async () => {
    const seen: Array<{ url: string; auth: string | null }> = []
    const record = (request: Request) =>
      seen.push({ url: request.url, auth: request.headers.get('authorization') })
    let scheme = 'http://evil.mock'
    msw.use(
      http.head(
        'http://registry.mock/v2/acme/app/blobs/:digest',
        () => new MswResponse(null, { status: 404 }),
      ),
      http.post('http://registry.mock/v2/acme/app/blobs/uploads/', ({ request }) => {
        record(request)
        return new MswResponse(null, {
          status: 202,
          headers: { location: `${scheme}/upload/1?state=x` },
        })
      }),
      http.put('http://evil.mock/upload/1', ({ request }) => {
        record(request)
        return new MswResponse(null, { status: 201 })
      }),
    )
    const repo = client(true).repository('acme/app')
    await repo.pushBlob(json({ a: 1 }))
    expect(seen.map((s) => [new URL(s.url).origin, s.auth !== null])).toEqual([
      ['http://registry.mock', true],
      ['http://evil.mock', false],
    ])
    expect(new URL(seen[1]!.url).search).toBe(
      `?state=x&digest=${encodeURIComponent(sha256(json({ a: 1 })))}`,
    )
    scheme = 'file://'
    await expect(repo.pushBlob(json({ a: 2 }))).rejects.toBeInstanceOf(UploadLocationError)
  })

  it('bounds pagination: no credentials off-origin, no loops, no non-http links, a page cap', async () => {
    const seen: Array<string | null> = []
    let link = '<http://other.mock/v2/acme/app/tags/list?page=2>; rel="next"'
    msw.use(
      http.get('http://registry.mock/v2/acme/app/tags/list', ({ request }) => {
        seen.push(request.headers.get('authorization'))
        return MswResponse.json({ name: 'acme/app', tags: ['a'] }, { headers: { link } })
      }),
      http.get('http://other.mock/v2/acme/app/tags/list', ({ request }) => {
        seen.push(request.headers.get('authorization'))
        return MswResponse.json({ name: 'acme/app', tags: ['b'] })
      }),
    )
    const repo = client(true).repository('acme/app')
    const all = async () => {
      const out: string[] = []
      for await (const t of repo.listTags()) out.push(t)
      return out
    }
    expect(await all()).toEqual(['a', 'b'])
    expect(seen.map((s) => s !== null)).toEqual([true, false])
    link = '</v2/acme/app/tags/list>; rel="next"'
    await expect(all()).rejects.toThrow(/loops back/)
    link = '<javascript:alert(1)>; rel="next"'
    await expect(all()).rejects.toBeInstanceOf(ParseError)
    let page = 0
    msw.use(
      http.get('http://registry.mock/v2/acme/app/tags/list', () =>
        MswResponse.json(
          { tags: [`t${page}`] },
          { headers: { link: `</v2/acme/app/tags/list?p=${++page}>; rel="next"` } },
        ),
      ),
    )
    const capped = createRegistryClient({ registry: 'http://registry.mock', maxPages: 5 })
    const tags: string[] = []
    await expect(
      (async () => {
        for await (const t of capped.repository('acme/app').listTags()) tags.push(t)
      })(),
    ).rejects.toThrow(/more than 5 pages/)
    expect(tags).toHaveLength(5)
  })
})

describe('content is verified and bounded', () => {
  const good = json(manifestOf(json({}), []))

  it('refuses a manifest whose bytes do not match the digest asked for, or the digest header', async () => {
    const other = json({ ...manifestOf(json({}), []), annotations: { x: 'y' } })
    let digestHeader = sha256(good)
    msw.use(
      http.get(
        'http://registry.mock/v2/acme/app/manifests/:ref',
        () =>
          new MswResponse(other, {
            headers: {
              'content-type': MediaType.ImageManifest,
              'docker-content-digest': digestHeader,
            },
          }),
      ),
    )
    const repo = client().repository('acme/app')
    await expect(repo.getManifest(sha256(good))).rejects.toBeInstanceOf(DigestMismatchError)
    await expect(repo.getManifest('v1')).rejects.toBeInstanceOf(DigestMismatchError)
    digestHeader = sha256(other)
    expect((await repo.getManifest('v1')).descriptor.digest).toBe(sha256(other))
  })

  it('refuses manifests over 4 MiB, announced or not', async () => {
    const big = new Uint8Array(4 * 1024 * 1024 + 1).fill(32)
    let chunked = false
    msw.use(
      http.get('http://registry.mock/v2/acme/app/manifests/:ref', () => {
        const body = chunked ? new Blob([big]).stream() : big
        return new MswResponse(body, { headers: { 'content-type': MediaType.ImageManifest } })
      }),
    )
    const repo = client().repository('acme/app')
    await expect(repo.getManifest('v1')).rejects.toBeInstanceOf(BodyTooLargeError)
    chunked = true
    await expect(repo.getManifest('v1')).rejects.toBeInstanceOf(BodyTooLargeError)
    await expect(repo.putManifest('v1', big, MediaType.ImageManifest)).rejects.toBeInstanceOf(
      BodyTooLargeError,
    )
  })

  it('fails a blob stream that does not hash to its digest', async () => {
    msw.use(
      http.get(
        'http://registry.mock/v2/acme/app/blobs/:digest',
        () => new MswResponse(json('tampered')),
      ),
    )
    const stream = await client().repository('acme/app').getBlob(sha256('original'))
    await expect(new Response(stream).arrayBuffer()).rejects.toBeInstanceOf(DigestMismatchError)
  })

  it('fails a blob cut mid-stream', async () => {
    const registry = useMock()
    const repo = client().repository('acme/app')
    const bytes = randomBytes(100_000)
    await repo.pushBlob(bytes)
    registry.faults.cutAfterBytes = { bytes: 1000, count: 1 }
    const stream = await repo.getBlob(sha256(bytes))
    const error = await new Response(stream).arrayBuffer().catch((e) => e)
    expect(
      error instanceof NetworkError ||
        error instanceof SizeMismatchError ||
        error?.name === 'TypeError',
    ).toBe(true)
  })

  it('validates manifests against the schema, naming the field', async () => {
    useMock()
    const repo = client().repository('acme/app')
    const bad = {
      ...manifestOf(json({}), []),
      layers: [{ mediaType: MediaType.ImageLayer, digest: 'sha256:xyz', size: -1 }],
    }
    const error = await repo.putManifest('v1', bad as ImageManifest).catch((e) => e)
    expect(error).toBeInstanceOf(InvalidManifestError)
    expect(error.issues.map((i: { path: string }) => i.path)).toEqual([
      'layers[0].digest',
      'layers[0].size',
    ])
    const noConfig = { schemaVersion: 2, mediaType: MediaType.ImageManifest, layers: [] }
    await expect(repo.putManifest('v1', noConfig as never)).rejects.toThrow(
      /config: must be a descriptor/,
    )
    msw.use(
      http.get(
        'http://registry.mock/v2/acme/app/manifests/:ref',
        () =>
          new MswResponse('{"schemaVersion":2}', {
            headers: { 'content-type': 'application/vnd.example+json' },
          }),
      ),
    )
    await expect(repo.getManifest('v1')).rejects.toBeInstanceOf(UnknownMediaTypeError)
  })
})

describe('registry behaviour', () => {
  it('says NotOciError for something that is not a registry', async () => {
    msw.use(http.get('http://registry.mock/v2/', () => new MswResponse('hello', { status: 404 })))
    await expect(client().verify()).rejects.toBeInstanceOf(NotOciError)
  })

  it('retries 503 and honours 429 Retry-After, then maps a persistent 429', async () => {
    const registry = useMock()
    const repo = client().repository('acme/app')
    const bytes = json({ config: true })
    await repo.pushBlob(bytes)
    registry.faults.failNext = { status: 503, count: 2 }
    expect(await repo.blobExists(sha256(bytes))).toBe(true)
    registry.faults.failNext = { status: 429, count: 1, retryAfter: 0 }
    expect(await repo.blobExists(sha256(bytes))).toBe(true)
    registry.faults.failNext = { status: 429, count: 10, retryAfter: 0 }
    await expect(repo.getManifest('v1')).rejects.toBeInstanceOf(TooManyRequestsError)
  })

  it('recovers a failed chunk through the upload status and honours OCI-Chunk-Min-Length', async () => {
    const registry = useMock({ chunkMinLength: 50_000 })
    const repo = client().repository('acme/app')
    const bytes = randomBytes(120_000)
    const start = registry.requests.length
    // Fail the second PATCH once: the client asks the status and resends it.
    let patches = 0
    msw.use(
      http.patch('http://registry.mock/v2/acme/app/blobs/uploads/:id', () => {
        if (++patches === 2) return new MswResponse(null, { status: 503 })
        return undefined
      }),
    )
    const pushed = await repo.pushBlob(new Blob([bytes]).stream(), { chunkSize: 1000 })
    expect(pushed.descriptor.digest).toBe(sha256(bytes))
    const log = registry.requests.slice(start).map((r) => r.method)
    expect(log.filter((m) => m === 'PATCH')).toHaveLength(3)
    expect(log).toContain('GET')
    expect(registry.blob('acme/app', sha256(bytes))).toEqual(new Uint8Array(bytes))
  })

  it('announces a sha512 digest with digest-algorithm on the POST', async () => {
    const registry = useMock()
    const repo = client().repository('acme/app')
    const bytes = randomBytes(5000)
    const digest = `sha512:${createHash('sha512').update(bytes).digest('hex')}`
    const start = registry.requests.length
    expect((await repo.pushBlob(bytes, { digest })).descriptor.digest).toBe(digest)
    const post = registry.requests.slice(start).find((r) => r.method === 'POST')!
    expect(new URL(post.url).searchParams.get('digest-algorithm')).toBe('sha512')
    expect(registry.blob('acme/app', digest)).toEqual(new Uint8Array(bytes))
    const plain = await repo.pushBlob(randomBytes(10))
    const last = registry.requests.filter((r) => r.method === 'POST').at(-1)!
    expect(new URL(last.url).searchParams.has('digest-algorithm')).toBe(false)
    expect(plain.method).toBe('monolithic')
  })

  it('sends a re-readable source again when its one-PUT upload fails', async () => {
    const registry = useMock()
    const repo = client().repository('acme/app')
    const bytes = randomBytes(200_000)
    let puts = 0
    msw.use(
      http.put('http://registry.mock/v2/acme/app/blobs/uploads/:id', () => {
        if (++puts === 1) return new MswResponse(null, { status: 503 })
        return undefined
      }),
    )
    const pushed = await repo.pushBlob(new Blob([bytes]), { digest: sha256(bytes) })
    expect(pushed.method).toBe('monolithic')
    expect(puts).toBe(2)
    expect(registry.blob('acme/app', sha256(bytes))).toEqual(new Uint8Array(bytes))
  })

  it('restarts an upload once when the registry drops the session (2.8 BLOB_UPLOAD_INVALID)', async () => {
    const registry = useMock()
    const repo = client().repository('acme/app')
    const bytes = randomBytes(50_000)
    let patches = 0
    msw.use(
      http.patch('http://registry.mock/v2/acme/app/blobs/uploads/:id', () => {
        if (++patches !== 2) return undefined
        return MswResponse.json(
          { errors: [{ code: 'BLOB_UPLOAD_INVALID', message: 'blob upload invalid' }] },
          { status: 404 },
        )
      }),
    )
    const start = registry.requests.length
    const pushed = await repo.pushBlob(bytes, {
      digest: sha256(bytes),
      monolithicThreshold: 0,
      chunkSize: 20_000,
    })
    expect(pushed.method).toBe('chunked')
    const methods = registry.requests.slice(start).map((r) => r.method)
    expect(methods.filter((m) => m === 'POST')).toHaveLength(2)
    expect(methods).toContain('DELETE')
    expect(registry.blob('acme/app', sha256(bytes))).toEqual(new Uint8Array(bytes))
    // A one-shot stream cannot be read again: the failure is reported.
    patches = 0
    const error = await client()
      .repository('acme/app')
      .pushBlob(new Blob([randomBytes(50_000)]).stream(), { chunkSize: 20_000 })
      .catch((e) => e)
    expect(error.code).toBe('ERR_BLOB_UPLOAD')
  })

  it('uses the single POST upload when the registry offers it, POST+PUT when it answers 202', async () => {
    useMock()
    const bytes = json({ single: true })
    expect((await client().repository('acme/a').pushBlob(bytes, { singlePost: true })).method).toBe(
      'single-post',
    )
    const registry = useMock({ singlePostUpload: false })
    expect((await client().repository('acme/b').pushBlob(bytes, { singlePost: true })).method).toBe(
      'monolithic',
    )
    expect(registry.hasBlob('acme/b', sha256(bytes))).toBe(true)
  })

  it('falls back to the referrers tag schema when the API is missing', async () => {
    const registry = useMock({ referrersApi: false })
    const repo = client().repository('acme/app')
    const config = json({})
    await repo.pushBlob(config)
    const subject = await repo.putManifest('v1', manifestOf(config, []))
    const artifact = {
      ...manifestOf(config, []),
      artifactType: 'application/vnd.sig',
      subject: subject.descriptor,
    }
    const pushed = await repo.putManifest(sha256(json(artifact)), artifact)
    expect(pushed.subject).toBeUndefined()
    const tag = `sha256-${subject.descriptor.digest.slice(7)}`
    expect(registry.tags('acme/app')).toContain(tag)
    const found = []
    for await (const d of repo.referrers(subject.descriptor.digest)) found.push(d)
    expect(found).toEqual([
      {
        mediaType: MediaType.ImageManifest,
        digest: pushed.descriptor.digest,
        size: pushed.descriptor.size,
        artifactType: 'application/vnd.sig',
      },
    ])
  })

  it('lists the catalog page by page', async () => {
    const registry = useMock()
    const c = client()
    for (const name of ['a/one', 'b/two', 'c/three']) await c.repository(name).pushBlob(json(name))
    const start = registry.requests.length
    const names: string[] = []
    for await (const n of c.catalog({ n: 1 })) names.push(n)
    const all: string[] = []
    for await (const n of catalog(c)) all.push(n)
    expect(all).toEqual(names)
    expect(names).toEqual(['a/one', 'b/two', 'c/three'])
    // three pages of one, then one page of everything
    expect(registry.requests.slice(start).filter((r) => r.url.includes('_catalog')).length).toBe(4)
  })

  it('rejects invalid names, references and digests before any request', async () => {
    const c = client()
    expect(() => c.repository('Acme/App')).toThrow(
      expect.objectContaining({ code: 'ERR_REFERENCE_NAME_UPPERCASE' }),
    )
    const repo = c.repository('acme/app')
    await expect(repo.getManifest('bad tag')).rejects.toMatchObject({
      code: 'ERR_REFERENCE_INVALID_TAG',
    })
    await expect(repo.getBlob('sha256:nothex')).rejects.toMatchObject({
      code: 'ERR_REFERENCE_INVALID_DIGEST',
    })
    await expect(repo.getBlob(`md5:${'a'.repeat(32)}`)).rejects.toMatchObject({
      code: 'ERR_INVALID_DIGEST',
    })
    await expect(repo.deleteManifest('v1')).rejects.toBeInstanceOf(WharfError)
    useMock()
    await expect(repo.getManifest('v1')).rejects.toBeInstanceOf(ManifestUnknownError)
  })
})

/** Mock registries a.mock (holding acme/app:v1, one config and one layer) and b.mock. */
async function twoRegistries(layerSize: number) {
  const [a, b] = ['a', 'b'].map((n) =>
    createMockRegistry({ origin: `http://${n}.mock`, storageOrigin: `http://${n}-storage.mock` }),
  ) as [MockRegistry, MockRegistry]
  msw.use(...a.handlers(), ...b.handlers())
  const on = (registry: string) =>
    createRegistryClient({ registry, retry: { limit: 2, delay: 1 } }).repository('acme/app')
  const src = on('http://a.mock')
  const config = json({ architecture: 'amd64', os: 'linux' })
  const layer = randomBytes(layerSize)
  await src.pushBlob(config)
  await src.pushBlob(layer)
  await src.putManifest('v1', manifestOf(config, [layer]))
  return { a, b, src, dst: on('http://b.mock'), layer }
}

describe('copy', () => {
  it('streams each blob to the other registry in one PUT and retries it once after a cut', async () => {
    const { a, b, src, dst, layer } = await twoRegistries(300_000)
    a.faults.cutAfterBytes = { bytes: 100_000, count: 1, paths: new RegExp(sha256(layer)) }
    const events: string[] = []
    await copy(src, dst, {
      reference: 'v1',
      onCopy: (e) => events.push(`${e.action} ${e.descriptor.digest}`),
    })
    expect(events).toContain(`copied ${sha256(layer)}`)
    expect(sha256(b.blob('acme/app', sha256(layer))!)).toBe(sha256(layer))
    const gets = a.requests.filter((r) => r.method === 'GET' && r.url.includes(sha256(layer)))
    expect(gets).toHaveLength(2)
    const uploads = b.requests.filter((r) => r.url.includes('/blobs/uploads/'))
    expect(uploads.some((r) => r.method === 'PATCH')).toBe(false)
    expect(b.uploadSessions()).toBe(0)
  })

  it('fails a copy whose source blob does not match its digest, and nothing lands', async () => {
    const { b, src, dst, layer } = await twoRegistries(100_000)
    for (const [name, body] of [
      ['other bytes', randomBytes(100_000)],
      ['too few bytes', layer.subarray(0, 60_000)],
    ] as const) {
      msw.use(
        http.get(new RegExp(`^http://a\\.mock/v2/acme/app/blobs/${sha256(layer)}$`), () =>
          MswResponse.arrayBuffer(new Uint8Array(body).buffer, {
            headers: { 'content-type': 'application/octet-stream' },
          }),
        ),
      )
      const error = await copy(src, dst, { reference: 'v1' }).catch((e) => e)
      expect(error, name).toBeInstanceOf(
        body.byteLength === layer.byteLength ? DigestMismatchError : SizeMismatchError,
      )
      expect(b.hasBlob('acme/app', sha256(layer))).toBe(false)
      expect(b.manifest('acme/app', 'v1')).toBeUndefined()
      expect(b.uploadSessions()).toBe(0)
    }
  })

  it('copies only the requested platforms of an index', async () => {
    const registry = useMock()
    const c = client()
    const src = c.repository('acme/multi')
    const descriptors = []
    for (const architecture of ['amd64', 'arm64', 's390x']) {
      const config = json({ architecture, os: 'linux' })
      await src.pushBlob(config)
      const { descriptor } = await src.putManifest(architecture, manifestOf(config, []))
      descriptors.push({ ...descriptor, platform: { os: 'linux', architecture } })
    }
    const index = {
      schemaVersion: 2 as const,
      mediaType: MediaType.ImageIndex,
      manifests: descriptors,
    }
    await src.putManifest('all', index)
    const one = await copy(src, c.repository('acme/one'), {
      reference: 'all',
      platforms: ['linux/arm64'],
    })
    expect(one.digest).toBe(descriptors[1]!.digest)
    expect(registry.manifest('acme/one', 'all')?.digest).toBe(descriptors[1]!.digest)
    const two = await copy(src, c.repository('acme/two'), {
      reference: 'all',
      platforms: ['linux/amd64', 'linux/s390x'],
    })
    const stored = JSON.parse(new TextDecoder().decode(registry.manifest('acme/two', 'all')!.bytes))
    expect(stored.manifests.map((d: { digest: string }) => d.digest)).toEqual([
      descriptors[0]!.digest,
      descriptors[2]!.digest,
    ])
    expect(two.digest).toBe(sha256(registry.manifest('acme/two', 'all')!.bytes))
    expect(registry.hasBlob('acme/two', sha256(json({ architecture: 'arm64', os: 'linux' })))).toBe(
      false,
    )
  })
})
