import { describe, expect, it } from 'vitest'
import {
  drain,
  errorCode,
  pushBlob,
  pushImage,
  sha256,
  sha512,
  type Target,
  TRANSPORTS,
  useRegistry,
} from './targets.js'

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json'
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json'

const put = (t: Target, ref: string, body: string, contentType?: string, name = 'acme/app') =>
  t.fetch(`/v2/${name}/manifests/${ref}`, {
    method: 'PUT',
    // Bytes, not a string, when no type is given: fetch would add text/plain to a string.
    body: contentType ? body : new TextEncoder().encode(body),
    headers: contentType ? { 'content-type': contentType } : {},
  })

async function baseBlobs(t: Target) {
  const config = await pushBlob(t, 'acme/app', '{"os":"linux"}')
  const layer = await pushBlob(t, 'acme/app', 'layer bytes')
  return {
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: 14 },
    layer: { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layer, size: 11 },
  }
}

describe.each(TRANSPORTS)('manifests over %s', (transport) => {
  const t = useRegistry(transport)

  it.each([
    [OCI_MANIFEST, false, 'manifest'],
    [DOCKER_MANIFEST, true, 'manifest'],
    [OCI_INDEX, false, 'index'],
    [DOCKER_LIST, true, 'index'],
  ])('accepts %s and serves it back byte for byte', async (type, withField, kind) => {
    const { config, layer } = await baseBlobs(t)
    const child = await pushImage(t, 'acme/app')
    const body =
      kind === 'manifest'
        ? { schemaVersion: 2, mediaType: type, config, layers: [layer] }
        : {
            schemaVersion: 2,
            mediaType: type,
            manifests: [{ mediaType: OCI_MANIFEST, digest: child.digest, size: child.size }],
          }
    const text = `${JSON.stringify(withField ? body : { ...body, mediaType: undefined }, null, 3)}\n`
    const r = await put(t, 'v1', text, type)
    expect(r.status).toBe(201)
    expect(r.headers.get('docker-content-digest')).toBe(sha256(text))
    expect(r.headers.get('location')).toBe(`/v2/acme/app/manifests/${sha256(text)}`)
    const get = await t.fetch('/v2/acme/app/manifests/v1', { headers: { accept: type } })
    expect(get.headers.get('content-type')).toBe(type)
    expect(get.headers.get('content-length')).toBe(String(new TextEncoder().encode(text).length))
    expect(await get.text()).toBe(text)
  })

  it.each([
    ['not JSON', '{"schemaVersion":', OCI_MANIFEST, 'body'],
    ['an unknown media type', '{"schemaVersion":2}', 'application/json', 'Content-Type'],
    ['no media type at all', '{"schemaVersion":2,"config":{},"layers":[]}', undefined, 'mediaType'],
    [
      'a mediaType differing from Content-Type',
      JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] }),
      OCI_MANIFEST,
      'mediaType',
    ],
    [
      'a Docker manifest without its mediaType field',
      JSON.stringify({ schemaVersion: 2, manifests: [] }),
      DOCKER_LIST,
      'mediaType',
    ],
    [
      'schemaVersion 1',
      JSON.stringify({ schemaVersion: 1, manifests: [] }),
      OCI_INDEX,
      'schemaVersion',
    ],
    [
      'a manifest carrying manifests',
      JSON.stringify({ schemaVersion: 2, manifests: [] }),
      OCI_MANIFEST,
      'manifests',
    ],
    [
      'an index carrying layers',
      JSON.stringify({ schemaVersion: 2, manifests: [], layers: [] }),
      OCI_INDEX,
      'config/layers',
    ],
    [
      'a config without digest',
      JSON.stringify({ schemaVersion: 2, config: { mediaType: 'x/y', size: 1 }, layers: [] }),
      OCI_MANIFEST,
      'config.digest',
    ],
    [
      'a negative layer size',
      JSON.stringify({
        schemaVersion: 2,
        config: { mediaType: 'x/y', size: 1, digest: sha256('a') },
        layers: [{ mediaType: 'x/y', size: -1, digest: sha256('b') }],
      }),
      OCI_MANIFEST,
      'layers[0].size',
    ],
    [
      'annotations that are not strings',
      JSON.stringify({ schemaVersion: 2, manifests: [], annotations: { a: 1 } }),
      OCI_INDEX,
      'annotations',
    ],
  ])('refuses %s with 400 MANIFEST_INVALID naming the field', async (_case, body, type, field) => {
    const r = await put(t, 'v1', body, type)
    expect(r.status).toBe(400)
    const json = (await r.json()) as { errors: Array<{ code: string; detail?: { field: string } }> }
    expect(json.errors[0]!.code).toBe('MANIFEST_INVALID')
    if (field !== 'body') expect(json.errors[0]!.detail?.field).toBe(field)
    expect(t.registry.bytesUsed).toBe(0)
  })

  it('refuses missing blobs and child manifests, one MANIFEST_BLOB_UNKNOWN each', async () => {
    const { config } = await baseBlobs(t)
    const ghost = {
      mediaType: 'application/vnd.oci.image.layer.v1.tar',
      digest: sha256('ghost'),
      size: 5,
    }
    const manifest = JSON.stringify({
      schemaVersion: 2,
      config: { ...config, digest: sha256('no config') },
      layers: [ghost, { ...ghost, urls: ['https://example.com/foreign'], digest: sha256('f') }],
    })
    const r = await put(t, 'v1', manifest, OCI_MANIFEST)
    expect(r.status).toBe(400)
    const json = (await r.json()) as { errors: Array<{ code: string; detail: { digest: string } }> }
    expect(json.errors.map((e) => [e.code, e.detail.digest])).toEqual([
      ['MANIFEST_BLOB_UNKNOWN', sha256('no config')],
      ['MANIFEST_BLOB_UNKNOWN', sha256('ghost')],
    ])
    const index = JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: OCI_MANIFEST, digest: sha256('child'), size: 2 }],
    })
    const ri = await put(t, 'v1', index, OCI_INDEX)
    expect(ri.status).toBe(400)
    expect(await errorCode(ri)).toBe('MANIFEST_BLOB_UNKNOWN')
  })

  it('accepts a subject that does not exist and answers OCI-Subject', async () => {
    const { config, layer } = await baseBlobs(t)
    const subject = { mediaType: OCI_MANIFEST, digest: sha256('absent subject'), size: 10 }
    const r = await put(
      t,
      'v1',
      JSON.stringify({ schemaVersion: 2, config, layers: [layer], subject }),
      OCI_MANIFEST,
    )
    expect(r.status).toBe(201)
    expect(r.headers.get('oci-subject')).toBe(subject.digest)
  })

  it('pushes by digest: verifies it (sha256 and sha512), 400 DIGEST_INVALID otherwise', async () => {
    const { config, layer } = await baseBlobs(t)
    const body = JSON.stringify({ schemaVersion: 2, config, layers: [layer] })
    for (const digest of [sha256(body), sha512(body)]) {
      const r = await put(t, digest, body, OCI_MANIFEST)
      expect(r.status).toBe(201)
      expect(r.headers.get('docker-content-digest')).toBe(digest)
      const head = await t.fetch(`/v2/acme/app/manifests/${digest}`, { method: 'HEAD' })
      expect(head.status).toBe(200)
      expect(head.headers.get('content-length')).toBe(String(body.length))
    }
    const wrong = await put(t, sha256('other'), body, OCI_MANIFEST)
    expect(wrong.status).toBe(400)
    expect(await errorCode(wrong)).toBe('DIGEST_INVALID')
    const bad = await put(t, 'sha256:baddigeststring', body, OCI_MANIFEST)
    expect(bad.status).toBe(400)
    expect(await errorCode(bad)).toBe('DIGEST_INVALID')
    const get = await t.fetch('/v2/acme/app/manifests/sha256:baddigeststring')
    expect(get.status).toBe(404)
    await drain(get)
    const tag = await put(t, '-bad-tag', body, OCI_MANIFEST)
    expect(tag.status).toBe(400)
    expect(await errorCode(tag)).toBe('TAG_INVALID')
  })

  it('tag parameters create several tags and answer OCI-Tag', async () => {
    const { config, layer } = await baseBlobs(t)
    const body = JSON.stringify({ schemaVersion: 2, config, layers: [layer] })
    const r = await put(t, `${sha256(body)}?tag=1.0&tag=latest`, body, OCI_MANIFEST)
    expect(r.status).toBe(201)
    expect(r.headers.get('oci-tag')).toBe('1.0, latest')
    expect(t.registry.tags('acme/app')).toEqual(['1.0', 'latest'])
  })

  it('refuses bodies over 4 MiB with 413 and accepts exactly 4 MiB', async () => {
    const { config, layer } = await baseBlobs(t)
    const base = JSON.stringify({
      schemaVersion: 2,
      config,
      layers: [layer],
      annotations: { pad: '' },
    })
    const exact = base.replace('"pad":""', `"pad":"${'x'.repeat(4 * 1024 * 1024 - base.length)}"`)
    expect(exact.length).toBe(4 * 1024 * 1024)
    expect((await put(t, 'big', exact, OCI_MANIFEST)).status).toBe(201)
    const over = await put(t, 'bigger', `${exact} `, OCI_MANIFEST)
    expect(over.status).toBe(413)
    expect(await errorCode(over)).toBe('MANIFEST_INVALID')
    expect(t.registry.tags('acme/app')).toEqual(['big'])
  })

  it('takes the type from the mediaType field when Content-Type is absent', async () => {
    const body = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] })
    expect((await put(t, 'v1', body)).status).toBe(201)
    expect(t.registry.manifest('acme/app', 'v1')?.mediaType).toBe(OCI_INDEX)
  })

  it('ignores Content-Type parameters', async () => {
    const { config, layer } = await baseBlobs(t)
    const body = JSON.stringify({ schemaVersion: 2, config, layers: [layer] })
    expect((await put(t, 'v1', body, `${OCI_MANIFEST}; charset=utf-8`)).status).toBe(201)
    expect(t.registry.manifest('acme/app', 'v1')?.mediaType).toBe(OCI_MANIFEST)
  })

  it('answers 304 to a matching If-None-Match and sends ETag', async () => {
    const { digest } = await pushImage(t, 'acme/app', { reference: 'v1' })
    const get = await t.fetch('/v2/acme/app/manifests/v1')
    expect(get.headers.get('etag')).toBe(`"${digest}"`)
    await drain(get)
    for (const value of [`"${digest}"`, digest]) {
      const r = await t.fetch('/v2/acme/app/manifests/v1', { headers: { 'if-none-match': value } })
      expect(r.status).toBe(304)
    }
  })

  it('unknown repository or tag → MANIFEST_UNKNOWN (as the reference server answers)', async () => {
    await pushImage(t, 'acme/app', { reference: 'v1' })
    const repo = await t.fetch('/v2/acme/none/manifests/v1')
    expect(repo.status).toBe(404)
    expect(await errorCode(repo)).toBe('MANIFEST_UNKNOWN')
    const tag = await t.fetch('/v2/acme/app/manifests/v2')
    expect(tag.status).toBe(404)
    expect(await errorCode(tag)).toBe('MANIFEST_UNKNOWN')
  })

  it('deletes a tag (the manifest stays) and a manifest with all its tags', async () => {
    const { digest } = await pushImage(t, 'acme/app', { reference: 'v1' })
    await put(
      t,
      'v2',
      new TextDecoder().decode(t.registry.manifest('acme/app', 'v1')!.bytes),
      OCI_MANIFEST,
    )
    expect((await t.fetch('/v2/acme/app/manifests/v1', { method: 'DELETE' })).status).toBe(202)
    expect(t.registry.tags('acme/app')).toEqual(['v2'])
    expect(t.registry.manifest('acme/app', digest)).toBeDefined()
    expect((await t.fetch(`/v2/acme/app/manifests/${digest}`, { method: 'DELETE' })).status).toBe(
      202,
    )
    expect(t.registry.tags('acme/app')).toEqual([])
    const again = await t.fetch(`/v2/acme/app/manifests/${digest}`, { method: 'DELETE' })
    expect(again.status).toBe(404)
    expect(await errorCode(again)).toBe('MANIFEST_UNKNOWN')
  })
})

describe.each(TRANSPORTS)('manifest options over %s', (transport) => {
  const t = useRegistry(transport, {
    strictAccept: true,
    tagDeleteEnabled: false,
    validateReferences: false,
    origin: 'http://strict.mock',
    storageOrigin: 'http://strict-storage.mock',
  })

  it('strictAccept: 404 when Accept excludes the stored type', async () => {
    const body = JSON.stringify({
      schemaVersion: 2,
      config: { mediaType: 'x/y', digest: sha256('unpushed'), size: 8 },
      layers: [],
    })
    expect((await put(t, 'v1', body, OCI_MANIFEST)).status).toBe(201)
    const without = await t.fetch('/v2/acme/app/manifests/v1', {
      headers: { accept: DOCKER_MANIFEST },
    })
    expect(without.status).toBe(404)
    expect(await errorCode(without)).toBe('MANIFEST_UNKNOWN')
    for (const accept of [`${DOCKER_MANIFEST}, ${OCI_MANIFEST}`, '*/*']) {
      const ok = await t.fetch('/v2/acme/app/manifests/v1', { headers: { accept } })
      expect(ok.status).toBe(200)
      await drain(ok)
    }
  })

  it('tagDeleteEnabled: false → 400 UNSUPPORTED and the tag stays', async () => {
    const body = JSON.stringify({ schemaVersion: 2, manifests: [] })
    await put(t, 'v1', body, OCI_INDEX)
    const r = await t.fetch('/v2/acme/app/manifests/v1', { method: 'DELETE' })
    expect(r.status).toBe(400)
    expect(await errorCode(r)).toBe('UNSUPPORTED')
    expect(t.registry.tags('acme/app')).toEqual(['v1'])
  })
})

describe.each(TRANSPORTS)('manifest types extended over %s', (transport) => {
  const t = useRegistry(transport, {
    manifestTypes: {
      'application/vnd.example.list+json': { kind: 'index', requiresMediaTypeField: false },
    },
    deleteEnabled: false,
    origin: 'http://types.mock',
    storageOrigin: 'http://types-storage.mock',
  })

  it('accepts a media type added through options', async () => {
    const r = await put(
      t,
      'v1',
      JSON.stringify({ schemaVersion: 2, manifests: [] }),
      'application/vnd.example.list+json',
    )
    expect(r.status).toBe(201)
  })

  it('deleteEnabled: false → 405 UNSUPPORTED for manifests', async () => {
    await put(t, 'v1', JSON.stringify({ schemaVersion: 2, manifests: [] }), OCI_INDEX)
    const r = await t.fetch('/v2/acme/app/manifests/v1', { method: 'DELETE' })
    expect(r.status).toBe(405)
    expect(await errorCode(r)).toBe('UNSUPPORTED')
  })
})
