import { createHash } from 'node:crypto'

/** What one scenario saw: statuses, chosen headers and error codes, in order. */
export type Observation = Array<string | number | boolean | null | undefined>

const sha256 = (b: Uint8Array | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const octets = { 'content-type': 'application/octet-stream' }

/** A registry under test: its origin and a repository name unique to the scenario. */
export interface Subject {
  base: string
  name: string
}

const at = (s: Subject, path: string) => new URL(path, s.base).href
async function code(r: Response): Promise<string | undefined> {
  const text = await r.text()
  try {
    return (JSON.parse(text) as { errors?: Array<{ code: string }> }).errors?.[0]?.code
  } catch {
    return undefined
  }
}
async function start(s: Subject) {
  const r = await fetch(at(s, `/v2/${s.name}/blobs/uploads/`), { method: 'POST' })
  await r.arrayBuffer()
  return { status: r.status, location: new URL(r.headers.get('location')!, s.base) }
}
async function push(s: Subject, content: string) {
  const { location } = await start(s)
  location.searchParams.set('digest', sha256(content))
  const r = await fetch(location, { method: 'PUT', body: content, headers: octets })
  await r.arrayBuffer()
  return sha256(content)
}
async function image(s: Subject, tag: string) {
  const config = await push(s, `{"tag":"${tag}"}`)
  const layer = await push(s, `layer of ${tag}`)
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: config,
      size: `{"tag":"${tag}"}`.length,
    },
    layers: [
      {
        mediaType: 'application/vnd.oci.image.layer.v1.tar',
        digest: layer,
        size: `layer of ${tag}`.length,
      },
    ],
  })
  const r = await fetch(at(s, `/v2/${s.name}/manifests/${tag}`), {
    method: 'PUT',
    body: manifest,
    headers: { 'content-type': OCI_MANIFEST },
  })
  await r.arrayBuffer()
  return { status: r.status, digest: sha256(manifest), layer, manifest }
}

const DIGEST = `sha256:${'a'.repeat(64)}`

/** Requests sent anonymously to a token-protected registry: the challenge scope must match. */
export const CHALLENGES: Array<[method: string, path: string]> = [
  ['GET', '/v2/'],
  ['GET', '/v2/acme/app/tags/list'],
  ['HEAD', `/v2/acme/app/blobs/${DIGEST}`],
  ['GET', '/v2/acme/app/manifests/v1'],
  ['PUT', '/v2/acme/app/manifests/v1'],
  ['DELETE', '/v2/acme/app/manifests/v1'],
  ['DELETE', `/v2/acme/app/blobs/${DIGEST}`],
  ['POST', '/v2/acme/app/blobs/uploads/'],
  ['POST', `/v2/acme/app/blobs/uploads/?mount=${DIGEST}&from=acme/base`],
  ['PATCH', '/v2/acme/app/blobs/uploads/abc'],
  ['GET', '/v2/_catalog'],
]

/** Status, scope (actions sorted) and error code of an anonymous request. */
export async function challenge(base: string, method: string, path: string): Promise<Observation> {
  const r = await fetch(new URL(path, base), { method })
  const header = r.headers.get('www-authenticate') ?? ''
  const scope = /scope="([^"]*)"/.exec(header)?.[1]
  const sorted = scope
    ?.split(' ')
    .map((s) => {
      const cut = s.lastIndexOf(':')
      return `${s.slice(0, cut)}:${s
        .slice(cut + 1)
        .split(',')
        .sort()
        .join(',')}`
    })
    // The real registry builds the list from a Go map, so its order varies between requests.
    .sort()
    .join(' ')
  return [r.status, /^Bearer /.test(header), sorted, method === 'HEAD' ? undefined : await code(r)]
}

/**
 * Raw HTTP scenarios whose observations must be identical on the CNCF distribution 2.8
 * registry and on the mock configured with `DISTRIBUTION_2_8`.
 */
export const SCENARIOS: Record<string, (s: Subject) => Promise<Observation>> = {
  async ping(s) {
    const r = await fetch(at(s, '/v2/'))
    return [r.status, r.headers.get('docker-distribution-api-version'), await r.text()]
  },
  async 'single POST with digest answers 202 and stores nothing'(s) {
    const r = await fetch(at(s, `/v2/${s.name}/blobs/uploads/?digest=${sha256('x')}`), {
      method: 'POST',
      body: 'x',
      headers: octets,
    })
    await r.arrayBuffer()
    const get = await fetch(at(s, `/v2/${s.name}/blobs/${sha256('x')}`))
    return [
      r.status,
      !!r.headers.get('docker-upload-uuid'),
      r.headers.get('range'),
      get.status,
      await code(get),
    ]
  },
  async 'PATCH appends whatever Content-Range says'(s) {
    const { location } = await start(s)
    const r = await fetch(location, {
      method: 'PATCH',
      body: 'abcdef',
      headers: { ...octets, 'content-range': '100-105' },
    })
    await r.arrayBuffer()
    const next = new URL(r.headers.get('location')!, s.base)
    const status = await fetch(next)
    return [r.status, r.headers.get('range'), status.status, status.headers.get('range')]
  },
  async 'a stale Location is BLOB_UPLOAD_INVALID and kills the session'(s) {
    const { location } = await start(s)
    const r = await fetch(location, { method: 'PATCH', body: 'abc', headers: octets })
    await r.arrayBuffer()
    const fresh = new URL(r.headers.get('location')!, s.base)
    const stale = await fetch(location, { method: 'PATCH', body: 'def', headers: octets })
    const after = await fetch(fresh)
    const afterRange = after.headers.get('range')
    await after.arrayBuffer()
    const patch = await fetch(fresh, { method: 'PATCH', body: 'def', headers: octets })
    const patchCode = await code(patch)
    return [stale.status, await code(stale), after.status, afterRange, patch.status, patchCode]
  },
  async 'PUT with a wrong digest is DIGEST_INVALID'(s) {
    const { location } = await start(s)
    location.searchParams.set('digest', sha256('other'))
    const r = await fetch(location, { method: 'PUT', body: 'abc', headers: octets })
    return [r.status, await code(r)]
  },
  async 'blob HEAD and ranges'(s) {
    const digest = await push(s, '0123456789abcdefghij')
    const head = await fetch(at(s, `/v2/${s.name}/blobs/${digest}`), { method: 'HEAD' })
    const range = await fetch(at(s, `/v2/${s.name}/blobs/${digest}`), {
      headers: { range: 'bytes=5-9' },
    })
    return [
      head.status,
      head.headers.get('content-length'),
      head.headers.get('docker-content-digest') === digest,
      head.headers.get('accept-ranges'),
      range.status,
      range.headers.get('content-range'),
      await range.text(),
    ]
  },
  async 'unsatisfiable ranges are 416 with a body that breaks off'(s) {
    const digest = await push(s, '0123456789abcdefghijklmnopqrstuvwxyz')
    const seen: Observation = []
    for (const range of ['bytes=50-60', 'bytes=5-4']) {
      const r = await fetch(at(s, `/v2/${s.name}/blobs/${digest}`), { headers: { range } })
      const broken = await r.arrayBuffer().then(
        () => false,
        () => true,
      )
      seen.push(r.status, r.headers.get('content-length'), broken)
    }
    return seen
  },
  async 'unknown repositories'(s) {
    const paths = [
      `/v2/${s.name}/blobs/${sha256('a')}`,
      `/v2/${s.name}/manifests/v1`,
      `/v2/${s.name}/manifests/${sha256('a')}`,
      `/v2/${s.name}/tags/list`,
    ]
    const seen: Observation = []
    for (const path of paths) {
      const r = await fetch(at(s, path))
      seen.push(r.status, await code(r))
    }
    const del = await fetch(at(s, `/v2/${s.name}/blobs/${sha256('a')}`), { method: 'DELETE' })
    seen.push(del.status, await code(del))
    return seen
  },
  async 'upload status and cancel'(s) {
    const { location } = await start(s)
    const status = await fetch(location)
    const del = await fetch(location, { method: 'DELETE' })
    await del.arrayBuffer()
    const after = await fetch(location)
    return [status.status, status.headers.get('range'), del.status, after.status, await code(after)]
  },
  async 'manifest push, pull by tag and digest, missing blobs'(s) {
    const pushed = await image(s, 'v1')
    const get = await fetch(at(s, `/v2/${s.name}/manifests/v1`), {
      headers: { accept: OCI_MANIFEST },
    })
    const body = await get.text()
    const head = await fetch(at(s, `/v2/${s.name}/manifests/${pushed.digest}`), {
      method: 'HEAD',
      headers: { accept: OCI_MANIFEST },
    })
    const missing = await fetch(at(s, `/v2/${s.name}/manifests/v2`), {
      method: 'PUT',
      body: pushed.manifest.replace(pushed.layer, sha256('absent')),
      headers: { 'content-type': OCI_MANIFEST },
    })
    return [
      pushed.status,
      get.status,
      get.headers.get('content-type'),
      get.headers.get('docker-content-digest') === pushed.digest,
      body === pushed.manifest,
      head.status,
      head.headers.get('content-length'),
      missing.status,
      await code(missing),
    ]
  },
  async 'unknown manifests and repositories'(s) {
    await image(s, 'v1')
    const tag = await fetch(at(s, `/v2/${s.name}/manifests/nope`), {
      headers: { accept: OCI_MANIFEST },
    })
    const digest = await fetch(at(s, `/v2/${s.name}/manifests/${sha256('nope')}`), {
      headers: { accept: OCI_MANIFEST },
    })
    const tags = await fetch(at(s, `/v2/${s.name}-none/tags/list`))
    return [
      tag.status,
      await code(tag),
      digest.status,
      await code(digest),
      tags.status,
      await code(tags),
    ]
  },
  async 'tags list ignores n and last'(s) {
    for (const tag of ['c', 'a', 'b']) await image(s, tag)
    const r = await fetch(at(s, `/v2/${s.name}/tags/list?n=1&last=a`))
    const body = (await r.json()) as { name: string; tags: string[] }
    // 2.8 lists tags in storage order: compare them as a set.
    return [r.status, r.headers.get('link'), body.name === s.name, body.tags.sort().join(',')]
  },
  async 'no referrers API'(s) {
    const r = await fetch(at(s, `/v2/${s.name}/referrers/${sha256('x')}`))
    await r.arrayBuffer()
    return [r.status]
  },
  async 'deletes: tag refused, digest accepted'(s) {
    const { digest } = await image(s, 'v1')
    const tag = await fetch(at(s, `/v2/${s.name}/manifests/v1`), { method: 'DELETE' })
    const tagCode = await code(tag)
    const byDigest = await fetch(at(s, `/v2/${s.name}/manifests/${digest}`), { method: 'DELETE' })
    await byDigest.arrayBuffer()
    const after = await fetch(at(s, `/v2/${s.name}/manifests/${digest}`), {
      headers: { accept: OCI_MANIFEST },
    })
    return [tag.status, tagCode, byDigest.status, after.status, await code(after)]
  },
  async 'cross-repository mount'(s) {
    const digest = await push(s, 'shared')
    const r = await fetch(
      at(s, `/v2/${s.name}-target/blobs/uploads/?mount=${digest}&from=${s.name}`),
      {
        method: 'POST',
      },
    )
    await r.arrayBuffer()
    const missing = await fetch(
      at(s, `/v2/${s.name}-target/blobs/uploads/?mount=${sha256('no')}&from=${s.name}`),
      {
        method: 'POST',
      },
    )
    await missing.arrayBuffer()
    const location = new URL(r.headers.get('location')!, s.base).pathname
    return [
      r.status,
      location === `/v2/${s.name}-target/blobs/${digest}`,
      r.headers.get('docker-content-digest') === digest,
      missing.status,
    ]
  },
}
