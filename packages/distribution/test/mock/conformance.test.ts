// The distribution-spec v1.1.x conformance checklist (reference §15), run over msw and real
// HTTP, anonymous and behind each auth mode. Each workflow is an ordered table of checks
// sharing state, like the Ginkgo suite it mirrors.
import { beforeAll, describe, expect, it } from 'vitest'
import type { MockAuth } from '../../src/mock/index.js'
import { drain, random, sha256, type Target, TRANSPORTS, useRegistry } from './targets.js'

const NS = 'conformance/ns'
const CROSS = 'conformance/cross'
const DUMMY = 'sha256:b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9'
const EMPTY_JSON = 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a'
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
const OCI_CODES = [
  'BLOB_UNKNOWN',
  'BLOB_UPLOAD_INVALID',
  'BLOB_UPLOAD_UNKNOWN',
  'DIGEST_INVALID',
  'MANIFEST_BLOB_UNKNOWN',
  'MANIFEST_INVALID',
  'MANIFEST_UNKNOWN',
  'NAME_INVALID',
  'NAME_UNKNOWN',
  'SIZE_INVALID',
  'UNAUTHORIZED',
  'DENIED',
  'UNSUPPORTED',
  'MANIFEST_UNVERIFIED',
  'TAG_INVALID',
]

interface Blob {
  bytes: Uint8Array
  digest: string
}
const blob = (bytes: Uint8Array | string): Blob => {
  const b = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes
  return { bytes: b, digest: sha256(b) }
}
const descriptor = (mediaType: string, b: Blob) => ({
  mediaType,
  digest: b.digest,
  size: b.bytes.byteLength,
})

/** Tab-indented JSON with unknown fields, like the suite's manifests. */
function imageManifest(
  config: Blob,
  layers: Blob[],
  extra: Record<string, unknown> = {},
  configType = 'application/vnd.oci.image.config.v1+json',
): Blob {
  return blob(
    JSON.stringify(
      {
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: {
          ...descriptor(configType, config),
          data: Buffer.from(config.bytes).toString('base64'),
          newUnspecifiedField: Buffer.from('hello').toString('base64'),
        },
        layers: layers.map((l) => descriptor('application/vnd.oci.image.layer.v1.tar', l)),
        ...extra,
      },
      null,
      '\t',
    ),
  )
}

const location = (t: Target, r: Response) => {
  const value = r.headers.get('location')
  expect(value, 'Location header').toBeTruthy()
  return new URL(value!, t.base)
}
const withDigest = (url: URL, digest: string) => {
  const u = new URL(url)
  u.searchParams.set('digest', digest)
  return u.href
}
const octets = { 'content-type': 'application/octet-stream' }

async function upload(t: Target, name: string, b: Blob) {
  const post = await t.fetch(`/v2/${name}/blobs/uploads/`, { method: 'POST' })
  expect(post.status).toBe(202)
  const put = await t.fetch(withDigest(location(t, post), b.digest), {
    method: 'PUT',
    body: b.bytes as BodyInit,
    headers: octets,
  })
  expect(put.status).toBe(201)
}

async function putManifest(t: Target, name: string, ref: string, m: Blob, type = OCI_MANIFEST) {
  return t.fetch(`/v2/${name}/manifests/${ref}`, {
    method: 'PUT',
    body: m.bytes as BodyInit,
    headers: { 'content-type': type },
  })
}

async function expectStatus(response: Response, allowed: number[]) {
  expect(allowed, `status ${response.status}`).toContain(response.status)
  if (response.status === 400) expect(OCI_CODES).toContain(await firstCode(response))
  else await drain(response)
}
async function firstCode(r: Response) {
  return ((await r.json()) as { errors: Array<{ code: string }> }).errors[0]!.code
}

type Step = [string, (t: Target) => Promise<void>]

function workflow(t: Target, steps: Step[]) {
  for (const [title, run] of steps) it(title, () => run(t))
}

const AUTH_MODES: Array<[string, MockAuth | undefined]> = [
  ['anonymous', undefined],
  ['basic', { type: 'basic', username: 'alice', password: 's3cret' }],
  ['token', { type: 'token', username: 'alice', password: 's3cret' }],
]

describe.each(TRANSPORTS)('conformance over %s', (transport) => {
  describe.each(AUTH_MODES)('%s', (_mode, auth) => {
    const t = useRegistry(transport, auth ? { auth } : {}, {
      resetEach: false,
      ...(auth ? { credentials: { username: 'alice', password: 's3cret' } } : {}),
    })

    describe('pull', () => {
      const config0 = blob('{"conformance":0}')
      const config1 = blob('{"conformance":1}')
      const layer = blob(random(64))
      const m0 = imageManifest(config0, [layer])
      const m1 = imageManifest(config1, [layer])
      beforeAll(async () => {
        t.registry.reset()
        for (const b of [config0, config1, layer]) await upload(t, NS, b)
        expect((await putManifest(t, NS, 'tagtest0', m0)).status).toBe(201)
        expect((await putManifest(t, NS, m1.digest, m1)).status).toBe(201)
      })
      const head = (path: string, init: RequestInit = {}) =>
        t.fetch(`/v2/${NS}/${path}`, { method: 'HEAD', ...init })
      const get = (path: string) =>
        t.fetch(`/v2/${NS}/${path}`, { headers: { accept: OCI_MANIFEST } })
      workflow(t, [
        [
          'HEAD unknown blob → 404',
          async () => expect((await head(`blobs/${DUMMY}`)).status).toBe(404),
        ],
        [
          'HEAD blob → 200 with its digest',
          async () => {
            const r = await head(`blobs/${config0.digest}`)
            expect(r.status).toBe(200)
            expect(r.headers.get('docker-content-digest')).toBe(config0.digest)
          },
        ],
        ['GET unknown blob → 404', async () => expectStatus(await get(`blobs/${DUMMY}`), [404])],
        [
          'GET blob → 200 with its bytes',
          async () => {
            const r = await get(`blobs/${config0.digest}`)
            expect(r.status).toBe(200)
            expect(new Uint8Array(await r.arrayBuffer())).toEqual(config0.bytes)
          },
        ],
        [
          'HEAD .INVALID_MANIFEST_NAME → 404',
          async () => expect((await head('manifests/.INVALID_MANIFEST_NAME')).status).toBe(404),
        ],
        ...[m0, m1].map(
          (m, i): Step => [
            `HEAD manifest[${i}] by digest → 200 with its digest`,
            async () => {
              const r = await head(`manifests/${m.digest}`, { headers: { accept: OCI_MANIFEST } })
              expect(r.status).toBe(200)
              expect(r.headers.get('docker-content-digest')).toBe(m.digest)
            },
          ],
        ),
        [
          'HEAD tagtest0 → 200 with manifest[0] digest',
          async () => {
            const r = await head('manifests/tagtest0', { headers: { accept: OCI_MANIFEST } })
            expect(r.status).toBe(200)
            expect(r.headers.get('docker-content-digest')).toBe(m0.digest)
          },
        ],
        [
          'GET .INVALID_MANIFEST_NAME → 404',
          async () => expectStatus(await get('manifests/.INVALID_MANIFEST_NAME'), [404]),
        ],
        ...[m0.digest, m1.digest, 'tagtest0'].map(
          (ref): Step => [
            `GET manifest ${ref.slice(0, 16)} → 200 with the exact bytes`,
            async () => {
              const r = await get(`manifests/${ref}`)
              expect(r.status).toBe(200)
              const expected = ref === m1.digest ? m1 : m0
              expect(new Uint8Array(await r.arrayBuffer())).toEqual(expected.bytes)
            },
          ],
        ),
        [
          'GET sha256:totallywrong → 400 or 404',
          async () => expectStatus(await get('manifests/sha256:totallywrong'), [400, 404]),
        ],
        [
          'teardown: delete manifests then blobs',
          async () => {
            for (const m of [m0, m1]) {
              const r = await t.fetch(`/v2/${NS}/manifests/${m.digest}`, { method: 'DELETE' })
              await expectStatus(r, [202])
            }
            for (const b of [config0, config1, layer]) {
              const r = await t.fetch(`/v2/${NS}/blobs/${b.digest}`, { method: 'DELETE' })
              await expectStatus(r, [202])
            }
          },
        ],
      ])
    })

    describe('push', () => {
      const streamed = blob(random(100))
      const config1 = blob('{"push":1}')
      const layer = blob(random(300))
      const chunked = blob(random(42))
      const m1 = imageManifest(config1, [layer])
      const emptyLayer = blob(
        JSON.stringify({
          schemaVersion: 2,
          config: descriptor('application/vnd.oci.image.config.v1+json', config1),
          layers: [],
        }),
      )
      const state: { post?: URL; next?: URL } = {}
      beforeAll(() => t.registry.reset())
      workflow(t, [
        [
          'streamed: POST, PATCH without Content-Range → 202, PUT ?digest → 201',
          async () => {
            const post = await t.fetch(`/v2/${NS}/blobs/uploads/`, { method: 'POST' })
            const patch = await t.fetch(location(t, post).href, {
              method: 'PATCH',
              body: streamed.bytes as BodyInit,
              headers: octets,
            })
            expect(patch.status).toBe(202)
            const put = await t.fetch(withDigest(location(t, patch), streamed.digest), {
              method: 'PUT',
            })
            expect(put.status).toBe(201)
            expect(location(t, put).pathname).toBe(`/v2/${NS}/blobs/${streamed.digest}`)
          },
        ],
        [
          'monolithic: GET unknown blob → 404',
          async () => expectStatus(await t.fetch(`/v2/${NS}/blobs/${DUMMY}`), [404]),
        ],
        [
          'monolithic: single POST ?digest → 201 and the blob is there',
          async () => {
            const post = await t.fetch(`/v2/${NS}/blobs/uploads/?digest=${config1.digest}`, {
              method: 'POST',
              body: config1.bytes as BodyInit,
              headers: octets,
            })
            expect([201, 202]).toContain(post.status)
            location(t, post)
            const get = await t.fetch(`/v2/${NS}/blobs/${config1.digest}`)
            expect(get.status).toBe(post.status === 201 ? 200 : 404)
            await drain(get)
          },
        ],
        [
          'monolithic: POST → 202, PUT with body → 201, GET → 200',
          async () => {
            for (const b of [config1, layer]) {
              const post = await t.fetch(`/v2/${NS}/blobs/uploads/`, { method: 'POST' })
              expect(post.status).toBe(202)
              const put = await t.fetch(withDigest(location(t, post), b.digest), {
                method: 'PUT',
                body: b.bytes as BodyInit,
                headers: octets,
              })
              expect(put.status).toBe(201)
              location(t, put)
              const get = await t.fetch(`/v2/${NS}/blobs/${b.digest}`)
              expect(get.status).toBe(200)
              expect(new Uint8Array(await get.arrayBuffer())).toEqual(b.bytes)
            }
          },
        ],
        [
          'chunked: out-of-order first PATCH 22-41 → 416',
          async () => {
            const post = await t.fetch(`/v2/${NS}/blobs/uploads/`, {
              method: 'POST',
              headers: { 'content-length': '0' },
            })
            const patch = await t.fetch(location(t, post).href, {
              method: 'PATCH',
              body: chunked.bytes.slice(22) as BodyInit,
              headers: { ...octets, 'content-range': '22-41' },
            })
            expect(patch.status).toBe(416)
            await drain(patch)
          },
        ],
        [
          'chunked: PATCH 0-21 → 202 with Range 0-21',
          async () => {
            const post = await t.fetch(`/v2/${NS}/blobs/uploads/`, { method: 'POST' })
            state.post = location(t, post)
            const patch = await t.fetch(state.post.href, {
              method: 'PATCH',
              body: chunked.bytes.slice(0, 22) as BodyInit,
              headers: { ...octets, 'content-range': '0-21' },
            })
            expect(patch.status).toBe(202)
            expect(patch.headers.get('range')).toBe('0-21')
          },
        ],
        [
          'chunked: PATCH 0-21 again on the stale Location → 416',
          async () => {
            const patch = await t.fetch(state.post!.href, {
              method: 'PATCH',
              body: chunked.bytes.slice(0, 22) as BodyInit,
              headers: { ...octets, 'content-range': '0-21' },
            })
            expect(patch.status).toBe(416)
            await drain(patch)
          },
        ],
        [
          'chunked: GET the upload → 204, Location, Range 0-21',
          async () => {
            const status = await t.fetch(state.post!.href)
            expect(status.status).toBe(204)
            expect(status.headers.get('range')).toBe('0-21')
            state.next = location(t, status)
          },
        ],
        [
          'chunked: PATCH 22-41 → 202, PUT ?digest with no body → 201',
          async () => {
            const patch = await t.fetch(state.next!.href, {
              method: 'PATCH',
              body: chunked.bytes.slice(22) as BodyInit,
              headers: { ...octets, 'content-range': '22-41' },
            })
            expect(patch.status).toBe(202)
            const put = await t.fetch(withDigest(location(t, patch), chunked.digest), {
              method: 'PUT',
              headers: { 'content-length': '0' },
            })
            expect(put.status).toBe(201)
            location(t, put)
            expect(t.registry.blob(NS, chunked.digest)).toEqual(chunked.bytes)
          },
        ],
        [
          'mount without from of an unknown blob → 202 with an upload Location',
          async () => {
            const r = await t.fetch(`/v2/${CROSS}/blobs/uploads/?mount=${DUMMY}`, {
              method: 'POST',
            })
            expect(r.status).toBe(202)
            expect(location(t, r).pathname.startsWith(`/v2/${CROSS}/blobs/uploads/`)).toBe(true)
          },
        ],
        [
          'mount from the namespace → 201 at /v2/<target>/blobs/<digest>, then GET → 200',
          async () => {
            const r = await t.fetch(
              `/v2/${CROSS}/blobs/uploads/?mount=${layer.digest}&from=${NS}`,
              {
                method: 'POST',
              },
            )
            expect(r.status).toBe(201)
            expect(location(t, r).pathname).toBe(`/v2/${CROSS}/blobs/${layer.digest}`)
            const get = await t.fetch(`/v2/${CROSS}/blobs/${layer.digest}`)
            expect(get.status).toBe(200)
            await drain(get)
          },
        ],
        [
          'mount without from of a known blob → 202 (automatic cross-mount is off)',
          async () => {
            const r = await t.fetch(`/v2/conformance/other/blobs/uploads/?mount=${layer.digest}`, {
              method: 'POST',
            })
            expect(r.status).toBe(202)
          },
        ],
        [
          'manifests: GET .INVALID_MANIFEST_NAME → 404; PUT to test0…test3 → 201',
          async () => {
            await expectStatus(await t.fetch(`/v2/${NS}/manifests/.INVALID_MANIFEST_NAME`), [404])
            for (const tag of ['test0', 'test1', 'test2', 'test3']) {
              const r = await putManifest(t, NS, tag, m1)
              expect(r.status).toBe(201)
              expect(location(t, r).pathname).toBe(`/v2/${NS}/manifests/${m1.digest}`)
            }
          },
        ],
        [
          'manifests: empty-layer manifest without mediaType → 201',
          async () => {
            expect((await putManifest(t, NS, 'emptylayer', emptyLayer)).status).toBe(201)
            expect(t.registry.manifest(NS, 'emptylayer')?.mediaType).toBe(OCI_MANIFEST)
          },
        ],
        [
          'manifests: GET by digest → 200',
          async () => {
            const r = await t.fetch(`/v2/${NS}/manifests/${m1.digest}`, {
              headers: { accept: OCI_MANIFEST },
            })
            expect(r.status).toBe(200)
            expect(r.headers.get('content-type')).toBe(OCI_MANIFEST)
            expect(new Uint8Array(await r.arrayBuffer())).toEqual(m1.bytes)
          },
        ],
      ])
    })

    describe('content discovery', () => {
      const config = blob('{"discovery":true}')
      const layer = blob(random(50))
      const empty = blob('{}')
      const m2 = imageManifest(config, [layer])
      const m3 = imageManifest(config, [layer], { annotations: { never: 'pushed' } })
      const m4 = imageManifest(config, [layer], { annotations: { subject: 'yes' } })
      const TYPE_A = 'application/vnd.nhl.peanut.butter.bagel'
      const TYPE_B = 'application/vnd.food.stand'
      const subject = (m: Blob) => ({ subject: descriptor(OCI_MANIFEST, m) })
      const note = (value: string) => ({
        annotations: { 'org.opencontainers.conformance.test': value },
      })
      const a = imageManifest(empty, [layer], { ...subject(m4), ...note('A') }, TYPE_A)
      const a2 = imageManifest(
        empty,
        [layer],
        { artifactType: TYPE_A, ...subject(m4), ...note("A'") },
        'application/vnd.oci.empty.v1+json',
      )
      const index = blob(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_INDEX,
          artifactType: TYPE_B,
          manifests: [descriptor(OCI_MANIFEST, a), descriptor(OCI_MANIFEST, a2)],
          ...subject(m4),
          ...note('index'),
        }),
      )
      const b = imageManifest(empty, [layer], { ...subject(m4), ...note('B') }, TYPE_B)
      const b2 = imageManifest(
        empty,
        [layer],
        { artifactType: TYPE_B, ...subject(m4), ...note("B'") },
        'application/vnd.oci.empty.v1+json',
      )
      const c = imageManifest(
        empty,
        [layer],
        { artifactType: TYPE_B, ...subject(m3), ...note('C') },
        'application/vnd.oci.empty.v1+json',
      )
      const referrers = (digest: string, query = '') =>
        t.fetch(`/v2/${NS}/referrers/${digest}${query}`)
      const entries = async (r: Response) =>
        (
          (await r.json()) as {
            manifests: Array<{
              digest: string
              annotations: Record<string, string>
              artifactType?: string
            }>
          }
        ).manifests
      beforeAll(async () => {
        t.registry.reset()
        for (const x of [config, layer]) await upload(t, NS, x)
        for (const tag of ['test0', 'test1', 'test2', 'test3']) {
          expect((await putManifest(t, NS, tag, m2)).status).toBe(201)
        }
        await upload(t, NS, empty)
        expect(empty.digest).toBe(EMPTY_JSON)
        const pushReferrer = async (m: Blob, subjectDigest: string, type = OCI_MANIFEST) => {
          const r = await putManifest(t, NS, m.digest, m, type)
          expect(r.status).toBe(201)
          expect(r.headers.get('oci-subject')).toBe(subjectDigest)
        }
        await pushReferrer(a, m4.digest)
        await pushReferrer(a2, m4.digest)
        await pushReferrer(index, m4.digest, OCI_INDEX)
        expect((await putManifest(t, NS, 'tagtest0', m4)).status).toBe(201)
        await pushReferrer(b, m4.digest)
        await pushReferrer(b2, m4.digest)
        await pushReferrer(c, m3.digest)
      })
      workflow(t, [
        [
          'tags list → 200; n=half → exactly half; n=half&last → the rest',
          async () => {
            const all = (await (await t.fetch(`/v2/${NS}/tags/list`)).json()) as { tags: string[] }
            expect(all.tags).toEqual(['tagtest0', 'test0', 'test1', 'test2', 'test3'])
            const half = Math.floor(all.tags.length / 2)
            const first = await t.fetch(`/v2/${NS}/tags/list?n=${half}`)
            expect(first.status).toBe(200)
            const page = ((await first.json()) as { tags: string[] }).tags
            expect(page).toHaveLength(half)
            const rest = await t.fetch(`/v2/${NS}/tags/list?n=${half}&last=${page.at(-1)}`)
            expect(rest.status).toBe(200)
            expect(((await rest.json()) as { tags: string[] }).tags).toEqual(
              all.tags.slice(half, 2 * half),
            )
          },
        ],
        [
          'referrers of an unknown subject → 200, empty index',
          async () => {
            const r = await referrers(DUMMY)
            expect(r.status).toBe(200)
            expect(r.headers.get('content-type')).toBe(OCI_INDEX)
            expect(await entries(r)).toEqual([])
          },
        ],
        [
          'referrers of manifest[4] → 5 distinct entries with one annotation each',
          async () => {
            const r = await referrers(m4.digest)
            expect(r.status).toBe(200)
            expect(r.headers.get('content-type')).toBe(OCI_INDEX)
            const list = await entries(r)
            expect(list).toHaveLength(5)
            expect(new Set(list.map((e) => e.digest)).size).toBe(5)
            for (const e of list)
              expect(Object.keys(e.annotations)).toEqual(['org.opencontainers.conformance.test'])
            const byDigest = new Map(list.map((e) => [e.digest, e]))
            expect(byDigest.get(a.digest)?.artifactType).toBe(TYPE_A)
            expect(byDigest.get(a2.digest)?.artifactType).toBe(TYPE_A)
            expect(byDigest.get(index.digest)?.artifactType).toBe(TYPE_B)
          },
        ],
        [
          'referrers filtered by artifactType → OCI-Filters-Applied and 2 entries',
          async () => {
            const r = await referrers(m4.digest, `?artifactType=${encodeURIComponent(TYPE_A)}`)
            expect(r.status).toBe(200)
            expect(r.headers.get('oci-filters-applied')).toBe('artifactType')
            expect((await entries(r)).map((e) => e.digest).sort()).toEqual(
              [a.digest, a2.digest].sort(),
            )
          },
        ],
        [
          'referrers of a subject never pushed → exactly artifact C',
          async () => {
            const r = await referrers(m3.digest)
            expect(r.status).toBe(200)
            expect((await entries(r)).map((e) => e.digest)).toEqual([c.digest])
          },
        ],
        [
          'teardown: delete referrers, manifests and blobs',
          async () => {
            for (const m of [a, a2, index, b, b2, c, m4, m2]) {
              await expectStatus(
                await t.fetch(`/v2/${NS}/manifests/${m.digest}`, { method: 'DELETE' }),
                [202],
              )
            }
            for (const x of [config, layer, empty]) {
              await expectStatus(
                await t.fetch(`/v2/${NS}/blobs/${x.digest}`, { method: 'DELETE' }),
                [202],
              )
            }
            expect(await entries(await referrers(m4.digest))).toEqual([])
          },
        ],
      ])
    })

    describe('content management', () => {
      const config = blob('{"management":true}')
      const layer = blob(random(20))
      const m3 = imageManifest(config, [layer])
      const state = { tags: 0 }
      const tagCount = async () =>
        ((await (await t.fetch(`/v2/${NS}/tags/list`)).json()) as { tags: string[] }).tags.length
      beforeAll(async () => {
        t.registry.reset()
        for (const x of [config, layer]) await upload(t, NS, x)
        expect((await putManifest(t, NS, 'tagtest0', m3)).status).toBe(201)
        expect((await putManifest(t, NS, 'other', m3)).status).toBe(201)
        state.tags = await tagCount()
      })
      workflow(t, [
        [
          'DELETE tagtest0 → 202, the tag is gone and the manifest stays',
          async () => {
            await expectStatus(
              await t.fetch(`/v2/${NS}/manifests/tagtest0`, { method: 'DELETE' }),
              [202],
            )
            expect(await tagCount()).toBe(state.tags - 1)
            expectStatus(await t.fetch(`/v2/${NS}/manifests/tagtest0`), [404])
            const byDigest = await t.fetch(`/v2/${NS}/manifests/${m3.digest}`)
            expect(byDigest.status).toBe(200)
            await drain(byDigest)
          },
        ],
        [
          'DELETE manifest by digest → 202; GET → 404; its tags are gone',
          async () => {
            await expectStatus(
              await t.fetch(`/v2/${NS}/manifests/${m3.digest}`, { method: 'DELETE' }),
              [202],
            )
            await expectStatus(await t.fetch(`/v2/${NS}/manifests/${m3.digest}`), [404])
            expect(await tagCount()).toBe(0)
          },
        ],
        [
          'DELETE blobs → 202; GET config → 404',
          async () => {
            for (const x of [config, layer]) {
              await expectStatus(
                await t.fetch(`/v2/${NS}/blobs/${x.digest}`, { method: 'DELETE' }),
                [202],
              )
            }
            await expectStatus(await t.fetch(`/v2/${NS}/blobs/${config.digest}`), [404])
          },
        ],
      ])
    })
  })
})
