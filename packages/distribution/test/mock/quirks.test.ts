import { describe, expect, it } from 'vitest'
import { DISTRIBUTION_2_8 } from '../../src/mock/index.js'
import {
  drain,
  errorCode,
  pushBlob,
  pushImage,
  sha256,
  type Target,
  TRANSPORTS,
  useRegistry,
} from './targets.js'

const octets = { 'content-type': 'application/octet-stream' }

async function start(t: Target) {
  const post = await t.fetch('/v2/acme/app/blobs/uploads/', { method: 'POST' })
  expect(post.status).toBe(202)
  return new URL(post.headers.get('location')!, t.base)
}

describe.each(TRANSPORTS)('DISTRIBUTION_2_8 over %s', (transport) => {
  const t = useRegistry(transport, {
    ...DISTRIBUTION_2_8,
    origin: 'http://legacy.mock',
    storageOrigin: 'http://legacy-storage.mock',
  })

  it('ignores Content-Range and appends blindly', async () => {
    const location = await start(t)
    const patch = await t.fetch(location.href, {
      method: 'PATCH',
      body: 'abcdef',
      headers: { ...octets, 'content-range': '100-105' },
    })
    expect(patch.status).toBe(202)
    expect(patch.headers.get('range')).toBe('0-5')
    const next = new URL(patch.headers.get('location')!, t.base)
    next.searchParams.set('digest', sha256('abcdef'))
    expect((await t.fetch(next.href, { method: 'PUT' })).status).toBe(201)
  })

  it('a stale Location → 404 BLOB_UPLOAD_INVALID; the current one still works', async () => {
    const first = await start(t)
    const patch = await t.fetch(first.href, { method: 'PATCH', body: 'abc', headers: octets })
    const fresh = new URL(patch.headers.get('location')!, t.base)
    expect(fresh.searchParams.get('_state')).not.toBe(first.searchParams.get('_state'))
    const stale = await t.fetch(first.href, { method: 'PATCH', body: 'def', headers: octets })
    expect(stale.status).toBe(404)
    expect(await errorCode(stale)).toBe('BLOB_UPLOAD_INVALID')
    const after = await t.fetch(fresh.href)
    expect(after.status).toBe(204)
    expect(after.headers.get('range')).toBe('0-2')
  })

  it('answers an unsatisfiable Range with a 416 whose body breaks off', async () => {
    const digest = await pushBlob(t, 'acme/app', 'twenty bytes of blob')
    const r = await t.fetch(`/v2/acme/app/blobs/${digest}`, { headers: { range: 'bytes=50-60' } })
    expect(r.status).toBe(416)
    expect(r.headers.get('content-length')).toBe('20')
    await expect(r.arrayBuffer()).rejects.toThrow()
  })

  it('answers single POSTs with 202, ignores n/last on tags and has no referrers API', async () => {
    const post = await t.fetch(`/v2/acme/app/blobs/uploads/?digest=${sha256('x')}`, {
      method: 'POST',
      body: 'x',
      headers: octets,
    })
    expect(post.status).toBe(202)
    const { manifest } = await pushImage(t, 'acme/app', { reference: 'a' })
    for (const tag of ['b', 'c']) {
      await drain(
        await t.fetch(`/v2/acme/app/manifests/${tag}`, {
          method: 'PUT',
          body: manifest,
          headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
        }),
      )
    }
    const tags = await t.fetch('/v2/acme/app/tags/list?n=1&last=a')
    expect(tags.headers.get('link')).toBeNull()
    expect(await tags.json()).toEqual({ name: 'acme/app', tags: ['a', 'b', 'c'] })
    const referrers = await t.fetch(`/v2/acme/app/referrers/${sha256('x')}`)
    expect(referrers.status).toBe(404)
    await drain(referrers)
    const untag = await t.fetch('/v2/acme/app/manifests/a', { method: 'DELETE' })
    expect(untag.status).toBe(400)
    expect(await errorCode(untag)).toBe('DIGEST_INVALID')
  })
})

describe.each(TRANSPORTS)('sparse indexes over %s', (transport) => {
  const t = useRegistry(transport, {
    sparseIndexes: true,
    origin: 'http://sparse.mock',
    storageOrigin: 'http://sparse-storage.mock',
  })

  it('accepts an index whose children are missing, still checks image blobs', async () => {
    const index = JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: sha256('absent'),
          size: 3,
        },
      ],
    })
    const r = await t.fetch('/v2/acme/app/manifests/multi', {
      method: 'PUT',
      body: index,
      headers: { 'content-type': 'application/vnd.oci.image.index.v1+json' },
    })
    expect(r.status).toBe(201)
    const image = JSON.stringify({
      schemaVersion: 2,
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: sha256('c'),
        size: 1,
      },
      layers: [],
    })
    const bad = await t.fetch('/v2/acme/app/manifests/img', {
      method: 'PUT',
      body: image,
      headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
    })
    expect(bad.status).toBe(400)
    expect(await errorCode(bad)).toBe('MANIFEST_BLOB_UNKNOWN')
  })
})
