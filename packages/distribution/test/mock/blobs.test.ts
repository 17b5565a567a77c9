import { describe, expect, it } from 'vitest'
import { drain, errorCode, pushBlob, random, sha256, TRANSPORTS, useRegistry } from './targets.js'

describe.each(TRANSPORTS)('blobs over %s', (transport) => {
  const t = useRegistry(transport)
  const bytes = random(2048)

  it('HEAD gives size, digest, type and range support without a body', async () => {
    const digest = await pushBlob(t, 'acme/app', bytes)
    const head = await t.fetch(`/v2/acme/app/blobs/${digest}`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('content-length')).toBe('2048')
    expect(head.headers.get('docker-content-digest')).toBe(digest)
    expect(head.headers.get('accept-ranges')).toBe('bytes')
    expect(head.headers.get('etag')).toBe(`"${digest}"`)
    expect(head.headers.get('docker-distribution-api-version')).toBe('registry/2.0')
    expect((await head.arrayBuffer()).byteLength).toBe(0)
  })

  it.each([
    ['bytes=500-1499', 500, 1499],
    ['bytes=500-', 500, 2047],
    ['bytes=-500', 1548, 2047],
    ['bytes=2000-5000', 2000, 2047],
    ['bytes=0-0', 0, 0],
  ])('Range %s → 206 with the exact slice', async (range, start, end) => {
    const digest = await pushBlob(t, 'acme/app', bytes)
    const r = await t.fetch(`/v2/acme/app/blobs/${digest}`, { headers: { range } })
    expect(r.status).toBe(206)
    expect(r.headers.get('content-range')).toBe(`bytes ${start}-${end}/2048`)
    expect(r.headers.get('content-length')).toBe(String(end - start + 1))
    expect(sha256(new Uint8Array(await r.arrayBuffer()))).toBe(sha256(bytes.slice(start, end + 1)))
  })

  it.each(['bytes=500-0', 'bytes=5000-10000', 'bytes=-0'])('Range %s → 416', async (range) => {
    const digest = await pushBlob(t, 'acme/app', bytes)
    const r = await t.fetch(`/v2/acme/app/blobs/${digest}`, { headers: { range } })
    expect(r.status).toBe(416)
    expect(r.headers.get('content-range')).toBe('bytes */2048')
    await drain(r)
  })

  it.each(['bytes=0-1,5-6', 'items=0-5', 'bytes=x-y'])(
    'Range %s is ignored (200)',
    async (range) => {
      const digest = await pushBlob(t, 'acme/app', bytes)
      const r = await t.fetch(`/v2/acme/app/blobs/${digest}`, { headers: { range } })
      expect(r.status).toBe(200)
      expect((await r.arrayBuffer()).byteLength).toBe(2048)
    },
  )

  it('a blob linked elsewhere or in an unknown repository is BLOB_UNKNOWN', async () => {
    const digest = await pushBlob(t, 'acme/app', bytes)
    await pushBlob(t, 'acme/other', 'x')
    const other = await t.fetch(`/v2/acme/other/blobs/${digest}`)
    expect(other.status).toBe(404)
    expect(await errorCode(other)).toBe('BLOB_UNKNOWN')
    const none = await t.fetch(`/v2/acme/none/blobs/${digest}`)
    expect(none.status).toBe(404)
    expect(await errorCode(none)).toBe('BLOB_UNKNOWN')
  })

  it.each([
    ['sha256:totallywrong', 'DIGEST_INVALID'],
    ['nodigest', 'DIGEST_INVALID'],
  ])('GET of %s → 400 %s', async (digest, code) => {
    await pushBlob(t, 'acme/app', bytes)
    const r = await t.fetch(`/v2/acme/app/blobs/${digest}`)
    expect(r.status).toBe(400)
    expect(await errorCode(r)).toBe(code)
  })

  it('an invalid repository name → 400 NAME_INVALID', async () => {
    const r = await t.fetch(`/v2/Acme/App/blobs/${sha256('x')}`)
    expect(r.status).toBe(400)
    expect(await errorCode(r)).toBe('NAME_INVALID')
  })

  it('names may contain endpoint words like blobs and manifests', async () => {
    const digest = await pushBlob(t, 'team/blobs/uploads', 'odd name')
    const r = await t.fetch(`/v2/team/blobs/uploads/blobs/${digest}`)
    expect(r.status).toBe(200)
    expect(await r.text()).toBe('odd name')
  })

  it('DELETE unlinks (202), then 404 BLOB_UNKNOWN', async () => {
    const digest = await pushBlob(t, 'acme/app', bytes)
    expect((await t.fetch(`/v2/acme/app/blobs/${digest}`, { method: 'DELETE' })).status).toBe(202)
    const again = await t.fetch(`/v2/acme/app/blobs/${digest}`, { method: 'DELETE' })
    expect(again.status).toBe(404)
    expect(await errorCode(again)).toBe('BLOB_UNKNOWN')
  })

  it('unknown paths get a plain-text 404; wrong methods 405 UNSUPPORTED', async () => {
    const r = await t.fetch('/v3/whatever')
    expect(r.status).toBe(404)
    expect(await r.text()).toBe('404 page not found\n')
    const post = await t.fetch(`/v2/acme/app/blobs/${sha256('x')}`, { method: 'POST' })
    expect(post.status).toBe(405)
    expect(await errorCode(post)).toBe('UNSUPPORTED')
  })

  it('GET /v2/ → 200 {} with the API version header', async () => {
    const r = await t.fetch('/v2/')
    expect(r.status).toBe(200)
    expect(r.headers.get('docker-distribution-api-version')).toBe('registry/2.0')
    expect(await r.json()).toEqual({})
  })
})

describe.each(TRANSPORTS)('deletes disabled over %s', (transport) => {
  const t = useRegistry(transport, {
    deleteEnabled: false,
    warnings: ['deprecated "v1" API', 'second'],
    origin: 'http://nodelete.mock',
    storageOrigin: 'http://nodelete-storage.mock',
  })
  it('sends the configured Warning headers on registry responses', async () => {
    const r = await t.fetch('/v2/')
    expect(r.headers.get('warning')).toBe('299 - "deprecated \\"v1\\" API", 299 - "second"')
    await drain(r)
  })

  it('DELETE blob → 405 UNSUPPORTED and the blob stays', async () => {
    const digest = await pushBlob(t, 'acme/app', 'keep me')
    const r = await t.fetch(`/v2/acme/app/blobs/${digest}`, { method: 'DELETE' })
    expect(r.status).toBe(405)
    expect(await errorCode(r)).toBe('UNSUPPORTED')
    expect(t.registry.hasBlob('acme/app', digest)).toBe(true)
  })
})
