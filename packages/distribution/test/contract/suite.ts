import { createHash, randomBytes } from 'node:crypto'
import type { AuthStrategy, FetchLike } from '@wharf/core-http'
import { DigestMismatchError, SizeMismatchError } from '@wharf/transfer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  BlobUnknownError,
  copy,
  createRegistryClient,
  type Descriptor,
  DigestInvalidError,
  type ImageIndex,
  type ImageManifest,
  ManifestBlobUnknownError,
  ManifestUnknownError,
  MediaType,
  MemoryTarget,
  type RegistryClient,
  UnauthorizedError,
} from '../../src/index.js'

/** sha256 computed independently of the client. */
export const sha256 = (bytes: Uint8Array | string) =>
  `sha256:${createHash('sha256').update(bytes).digest('hex')}`

/** One request the client sent, as seen on the wire by a recording fetch. */
export interface Sent {
  method: string
  url: string
  headers: Headers
}

/** A registry the contract suite runs against. */
export interface ContractTarget {
  /** Registry base URL (`http://127.0.0.1:5000` or the msw origin). */
  url: string
  /** The credentials strategy for authorized clients, if the target wants auth. */
  auth?: () => AuthStrategy
  /** Scopes each token request asked for (token-auth targets only). */
  tokenScopes?: () => string[][]
  /** A strategy with wrong credentials (auth targets only). */
  badAuth?: () => AuthStrategy
  /** fetch with full access, independent of the client, to check what the registry stored. */
  raw(path: string, init?: RequestInit): Promise<Response>
  /** What differs between registries. */
  capabilities: {
    /** Serves `/referrers/` (else the client uses the tag-schema fallback). */
    referrersApi: boolean
    /** Honours `n` on tags lists with `Link` pages (2.8 ignores it). */
    tagPagination: boolean
    /** Takes `?tag=` parameters on a manifest PUT and confirms them in `OCI-Tag` (spec main). */
    tagParameters: boolean
  }
  close(): Promise<void>
}

/** A client recording every request it sends. */
export function recordingClient(target: ContractTarget, auth?: AuthStrategy) {
  const sent: Sent[] = []
  const fetch: FetchLike = (input, init) => {
    sent.push({
      method: String(init?.method ?? 'GET'),
      url: String(input),
      headers: new Headers(init?.headers as HeadersInit),
    })
    return globalThis.fetch(input as string, init as RequestInit)
  }
  const client = createRegistryClient({
    registry: target.url,
    fetch,
    retry: { limit: 2, delay: 10 },
    ...(auth ? { auth } : {}),
  })
  return { client, sent }
}

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value))
let counter = 0
const repoName = (what: string) => `contract/${what}-${Date.now().toString(36)}-${counter++}`

/** Pushes config + one layer + manifest (by tag); returns the descriptors. */
async function pushImage(
  client: RegistryClient,
  repo: string,
  tag: string,
  platform = 'linux/amd64',
) {
  const r = client.repository(repo)
  const [os, architecture] = platform.split('/')
  const config = json({ architecture, os, rootfs: { type: 'layers', diff_ids: [] } })
  const layer = randomBytes(1024 + (counter % 7))
  await r.pushBlob(config, { mediaType: MediaType.ImageConfig })
  await r.pushBlob(layer)
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaType.ImageManifest,
    config: { mediaType: MediaType.ImageConfig, digest: sha256(config), size: config.byteLength },
    layers: [{ mediaType: MediaType.ImageLayer, digest: sha256(layer), size: layer.byteLength }],
  }
  const bytes = json(manifest)
  const pushed = await r.putManifest(tag, bytes, MediaType.ImageManifest)
  return { repo: r, config, layer, manifest, bytes, descriptor: pushed.descriptor }
}

/**
 * The distribution contract: one suite, run against the msw mock, the mock on a socket and
 * the real CNCF registry (open, basic auth, token auth). Everything is checked through a
 * second, independent path (`raw` fetch + node:crypto).
 */
export function contractSuite(
  name: string,
  kind: { auth: boolean },
  start: () => Promise<ContractTarget>,
): void {
  describe(`contract: ${name}`, () => {
    let target: ContractTarget
    let client: RegistryClient
    let sent: Sent[]
    beforeAll(async () => {
      target = await start()
      ;({ client, sent } = recordingClient(target, target.auth?.()))
    })
    afterAll(async () => {
      await client?.close()
      await target?.close()
    })

    it('verifies the registry with GET /v2/', async () => {
      await expect(client.verify()).resolves.toBeUndefined()
      expect((await client.ping()).status).toBe(200)
    })

    it('pushes a small blob in one PUT and skips it when it exists', async () => {
      const repo = client.repository(repoName('small'))
      const bytes = randomBytes(3000)
      const first = await repo.pushBlob(bytes)
      expect(first.descriptor).toMatchObject({ digest: sha256(bytes), size: 3000 })
      expect(first.method).toBe('monolithic')
      const stored = await target.raw(`/v2/${repo.name}/blobs/${sha256(bytes)}`)
      expect(stored.status).toBe(200)
      expect(sha256(new Uint8Array(await stored.arrayBuffer()))).toBe(sha256(bytes))
      const before = sent.length
      expect((await repo.pushBlob(bytes)).method).toBe('exists')
      expect(sent.slice(before).map((s) => s.method)).toEqual(['HEAD'])
    })

    it('pushes a large blob in PATCH chunks with Content-Range', async () => {
      const repo = client.repository(repoName('chunked'))
      const bytes = randomBytes(200_000)
      const before = sent.length
      const pushed = await repo.pushBlob(bytes, {
        chunkSize: 64 * 1024,
        monolithicThreshold: 100_000,
      })
      expect(pushed.method).toBe('chunked')
      const patches = sent.slice(before).filter((s) => s.method === 'PATCH')
      expect(patches.map((p) => p.headers.get('content-range'))).toEqual([
        '0-65535',
        '65536-131071',
        '131072-196607',
        '196608-199999',
      ])
      const put = sent.slice(before).find((s) => s.method === 'PUT')!
      expect(new URL(put.url).searchParams.get('digest')).toBe(sha256(bytes))
      const stored = await target.raw(`/v2/${repo.name}/blobs/${sha256(bytes)}`)
      expect(sha256(new Uint8Array(await stored.arrayBuffer()))).toBe(sha256(bytes))
    })

    it('pushes a stream of known digest and size in one streamed PUT with its Content-Length', async () => {
      const repo = client.repository(repoName('stream-put'))
      const bytes = randomBytes(300_000)
      const before = sent.length
      const pushed = await repo.pushBlob(new Blob([bytes]).stream(), {
        digest: sha256(bytes),
        size: bytes.byteLength,
      })
      expect(pushed.method).toBe('monolithic')
      const requests = sent.slice(before)
      expect(requests.map((s) => s.method)).toEqual(['HEAD', 'POST', 'PUT'])
      expect(requests[2]!.headers.get('content-length')).toBe('300000')
      const stored = await target.raw(`/v2/${repo.name}/blobs/${sha256(bytes)}`)
      expect(sha256(new Uint8Array(await stored.arrayBuffer()))).toBe(sha256(bytes))
    })

    it('fails a streamed PUT whose bytes miss their digest or size, and nothing lands', async () => {
      const repo = client.repository(repoName('stream-lies'))
      const bytes = randomBytes(5000)
      const wrong = sha256(randomBytes(5000))
      await expect(
        repo.pushBlob(new Blob([bytes]).stream(), { digest: wrong, size: 5000 }),
      ).rejects.toBeInstanceOf(DigestInvalidError)
      const short = repo.pushBlob(new Blob([bytes.subarray(0, 4000)]).stream(), {
        digest: sha256(bytes),
        size: 5000,
      })
      await expect(short).rejects.toBeInstanceOf(SizeMismatchError)
      for (const digest of [wrong, sha256(bytes)]) {
        const head = await target.raw(`/v2/${repo.name}/blobs/${digest}`, { method: 'HEAD' })
        expect(head.status).toBe(404)
      }
      // Too many bytes: reported, though the registry may already hold the first `size`
      // bytes, which are exactly the blob the digest names.
      const long = repo.pushBlob(new Blob([bytes, bytes]).stream(), {
        digest: sha256(bytes),
        size: 5000,
      })
      await expect(long).rejects.toBeInstanceOf(SizeMismatchError)
    })

    it('pushes an unsized stream, computing its digest on the way', async () => {
      const repo = client.repository(repoName('stream'))
      const bytes = randomBytes(70_000)
      const stream = new Blob([bytes]).stream()
      const pushed = await repo.pushBlob(stream, { chunkSize: 32 * 1024 })
      expect(pushed.descriptor).toMatchObject({ digest: sha256(bytes), size: 70_000 })
      expect(
        (await target.raw(`/v2/${repo.name}/blobs/${sha256(bytes)}`, { method: 'HEAD' })).status,
      ).toBe(200)
    })

    it('refuses a stream whose bytes do not match the announced digest and cancels the session', async () => {
      const repo = client.repository(repoName('bad-digest'))
      const before = sent.length
      await expect(
        repo.pushBlob(new Blob([randomBytes(1000)]).stream(), { digest: sha256('something else') }),
      ).rejects.toBeInstanceOf(DigestMismatchError)
      expect(sent.slice(before).at(-1)!.method).toBe('DELETE')
    })

    it('mounts a blob from another repository and falls back to an upload when it cannot', async () => {
      const from = client.repository(repoName('mount-src'))
      const to = client.repository(repoName('mount-dst'))
      const bytes = randomBytes(5000)
      await from.pushBlob(bytes)
      const mounted = await to.mountBlob(sha256(bytes), from.name)
      expect(mounted.method).toBe('mounted')
      expect(
        (await target.raw(`/v2/${to.name}/blobs/${sha256(bytes)}`, { method: 'HEAD' })).status,
      ).toBe(200)
      const post = sent.filter((s) => s.method === 'POST').at(-1)!
      expect(new URL(post.url).searchParams.get('from')).toBe(from.name)
      if (target.tokenScopes) {
        // One token covers the mount: push on the target and pull on the source.
        expect(target.tokenScopes()).toContainEqual(
          expect.arrayContaining([
            `repository:${to.name}:pull,push`,
            `repository:${from.name}:pull`,
          ]),
        )
      }
      // A blob the source lacks: the registry opens a session (202) and the fallback fails cleanly.
      const other = client.repository(repoName('mount-none'))
      await expect(to.mountBlob(sha256('absent'), other.name)).rejects.toBeInstanceOf(
        BlobUnknownError,
      )
      // With the bytes at hand the 202 session carries the upload.
      const extra = randomBytes(100)
      const uploaded = await other.mountBlob(sha256(extra), to.name, { source: extra })
      expect(uploaded.method).toBe('monolithic')
      expect(
        (await target.raw(`/v2/${other.name}/blobs/${sha256(extra)}`, { method: 'HEAD' })).status,
      ).toBe(200)
    })

    it('pushes a manifest and pulls it by tag and by digest, verified', async () => {
      const image = await pushImage(client, repoName('image'), 'v1')
      expect(image.descriptor.digest).toBe(sha256(image.bytes))
      const byTag = await image.repo.getManifest('v1')
      const byDigest = await image.repo.getManifest(image.descriptor.digest)
      for (const got of [byTag, byDigest]) {
        expect(got.descriptor).toEqual(image.descriptor)
        expect(sha256(got.bytes)).toBe(image.descriptor.digest)
        expect(got.manifest).toEqual(image.manifest)
      }
      expect(await image.repo.headManifest('v1')).toEqual(image.descriptor)
      expect(await image.repo.manifestExists('v1')).toBe(true)
      expect(await image.repo.manifestExists('nope')).toBe(false)
      const raw = await target.raw(`/v2/${image.repo.name}/manifests/v1`, {
        headers: { accept: MediaType.ImageManifest },
      })
      expect(sha256(new Uint8Array(await raw.arrayBuffer()))).toBe(image.descriptor.digest)
      const { manifests, index } = await image.repo.getManifests('v1')
      expect(index).toBeUndefined()
      expect(manifests).toEqual([image.manifest])
    })

    it('reads blobs as verified streams, HEADs them and knows missing ones', async () => {
      const image = await pushImage(client, repoName('blobs'), 'v1')
      const stream = await image.repo.getBlob(sha256(image.layer), { size: image.layer.byteLength })
      const read = new Uint8Array(await new Response(stream).arrayBuffer())
      expect(sha256(read)).toBe(sha256(image.layer))
      expect(await image.repo.headBlob(sha256(image.layer))).toMatchObject({
        size: image.layer.byteLength,
      })
      expect(await image.repo.blobExists(sha256('missing'))).toBe(false)
      await expect(image.repo.verifyBlob(sha256('missing'))).rejects.toBeInstanceOf(
        BlobUnknownError,
      )
      await expect(image.repo.getBlob(sha256('missing'))).rejects.toMatchObject({
        code: 'ERR_BLOB_UNKNOWN',
        status: 404,
      })
    })

    it('pushes an index, pulls every child and selects a platform', async () => {
      const name = repoName('index')
      const amd = await pushImage(client, name, 'amd64', 'linux/amd64')
      const arm = await pushImage(client, name, 'arm64', 'linux/arm64')
      const index: ImageIndex = {
        schemaVersion: 2,
        mediaType: MediaType.ImageIndex,
        manifests: [
          { ...amd.descriptor, platform: { os: 'linux', architecture: 'amd64' } },
          { ...arm.descriptor, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
        ],
      }
      const pushed = await amd.repo.putManifest('multi', index)
      expect(pushed.descriptor.mediaType).toBe(MediaType.ImageIndex)
      const all = await amd.repo.getManifests('multi')
      expect(all.index).toEqual(index)
      expect(all.manifests).toEqual([amd.manifest, arm.manifest])
      const one = await amd.repo.getManifests('multi', { platform: 'linux/arm64/v8' })
      expect(one.manifests).toEqual([arm.manifest])
    })

    it('lists tags across pages', async () => {
      const name = repoName('tags')
      const image = await pushImage(client, name, 't0')
      for (const t of ['t1', 't2', 't3', 't4'])
        await image.repo.putManifest(t, image.bytes, MediaType.ImageManifest)
      const before = sent.length
      const tags: string[] = []
      for await (const t of image.repo.listTags({ n: 2 })) tags.push(t)
      expect(tags.sort()).toEqual(['t0', 't1', 't2', 't3', 't4'])
      const pages = sent.slice(before).filter((s) => s.url.includes('/tags/list')).length
      expect(pages).toBe(target.capabilities.tagPagination ? 3 : 1)
    })

    it('finds referrers (API or tag-schema fallback) and filters them by artifact type', async () => {
      const image = await pushImage(client, repoName('referrers'), 'v1')
      const empty = json({})
      await image.repo.pushBlob(empty)
      const artifact = (type: string, n: number): ImageManifest => ({
        schemaVersion: 2,
        mediaType: MediaType.ImageManifest,
        artifactType: type,
        config: { mediaType: MediaType.Empty, digest: sha256(empty), size: 2 },
        layers: [{ mediaType: MediaType.Empty, digest: sha256(empty), size: 2 }],
        subject: image.descriptor,
        annotations: { n: String(n) },
      })
      const sbom = await image.repo.putManifest(
        sha256(json(artifact('application/vnd.sbom', 1))),
        artifact('application/vnd.sbom', 1),
      )
      const sig = await image.repo.putManifest(
        sha256(json(artifact('application/vnd.sig', 2))),
        artifact('application/vnd.sig', 2),
      )
      expect(sbom.subject).toBe(
        target.capabilities.referrersApi ? image.descriptor.digest : undefined,
      )
      const all: Descriptor[] = []
      for await (const d of image.repo.referrers(image.descriptor.digest)) all.push(d)
      expect(all.map((d) => d.digest).sort()).toEqual(
        [sbom.descriptor.digest, sig.descriptor.digest].sort(),
      )
      expect(all.find((d) => d.digest === sig.descriptor.digest)).toMatchObject({
        artifactType: 'application/vnd.sig',
        annotations: { n: '2' },
      })
      const sboms: Descriptor[] = []
      for await (const d of image.repo.referrers(image.descriptor.digest, {
        artifactType: 'application/vnd.sbom',
      }))
        sboms.push(d)
      expect(sboms.map((d) => d.digest)).toEqual([sbom.descriptor.digest])
      const none: Descriptor[] = []
      for await (const d of image.repo.referrers(sha256('no subject'))) none.push(d)
      expect(none).toEqual([])
    })

    it('takes a deleted referrer out of the listing, and drops an emptied fallback tag', async () => {
      const image = await pushImage(client, repoName('unrefer'), 'v1')
      const empty = json({})
      await image.repo.pushBlob(empty)
      const artifact = (n: number): ImageManifest => ({
        schemaVersion: 2,
        mediaType: MediaType.ImageManifest,
        artifactType: 'application/vnd.example',
        config: { mediaType: MediaType.Empty, digest: sha256(empty), size: 2 },
        layers: [{ mediaType: MediaType.Empty, digest: sha256(empty), size: 2 }],
        subject: image.descriptor,
        annotations: { n: String(n) },
      })
      const one = await image.repo.putManifest(sha256(json(artifact(1))), artifact(1))
      const two = await image.repo.putManifest(sha256(json(artifact(2))), artifact(2))
      const listed = async () => {
        const found: string[] = []
        for await (const d of image.repo.referrers(image.descriptor.digest)) found.push(d.digest)
        return found
      }
      const fallbackTag = `sha256-${image.descriptor.digest.slice(7)}`
      const tags = async () => {
        const all: string[] = []
        for await (const tag of image.repo.listTags()) all.push(tag)
        return all
      }
      expect((await tags()).includes(fallbackTag)).toBe(!target.capabilities.referrersApi)
      await image.repo.deleteManifest(one.descriptor.digest)
      expect(await listed()).toEqual([two.descriptor.digest])
      await image.repo.deleteManifest(two.descriptor.digest)
      expect(await listed()).toEqual([])
      expect(await tags()).toEqual(['v1'])
    })

    it('puts a manifest under several tags at once (one PUT per tag where ?tag= is ignored)', async () => {
      const image = await pushImage(client, repoName('multitag'), 'v1')
      const before = sent.length
      const pushed = await image.repo.putManifest(image.descriptor.digest, image.bytes, undefined, {
        tags: ['1.0', '1.0.1', 'latest'],
      })
      expect(pushed.tags).toEqual(['1.0', '1.0.1', 'latest'])
      const puts = sent.slice(before).filter((s) => s.method === 'PUT')
      expect(puts).toHaveLength(target.capabilities.tagParameters ? 1 : 4)
      expect(new URL(puts[0]!.url).searchParams.getAll('tag')).toEqual(['1.0', '1.0.1', 'latest'])
      for (const tag of ['1.0', '1.0.1', 'latest']) {
        expect((await image.repo.headManifest(tag)).digest).toBe(image.descriptor.digest)
      }
    })

    it('deletes manifests and blobs', async () => {
      const image = await pushImage(client, repoName('delete'), 'v1')
      await image.repo.deleteManifest(image.descriptor.digest)
      await expect(image.repo.getManifest(image.descriptor.digest)).rejects.toBeInstanceOf(
        ManifestUnknownError,
      )
      await expect(image.repo.getManifest('v1')).rejects.toMatchObject({
        code: 'ERR_MANIFEST_UNKNOWN',
      })
      await image.repo.deleteBlob(sha256(image.layer))
      expect(await image.repo.blobExists(sha256(image.layer))).toBe(false)
    })

    it('maps error bodies onto typed errors', async () => {
      const repo = client.repository(repoName('errors'))
      const missing = await repo.getManifest('nope').catch((e) => e)
      expect(missing).toBeInstanceOf(ManifestUnknownError)
      expect(missing.status).toBe(404)
      const dangling: ImageManifest = {
        schemaVersion: 2,
        mediaType: MediaType.ImageManifest,
        config: { mediaType: MediaType.ImageConfig, digest: sha256('no config'), size: 9 },
        layers: [],
      }
      const refused = await repo.putManifest('dangling', dangling).catch((e) => e)
      expect(refused).toBeInstanceOf(ManifestBlobUnknownError)
      expect(refused.errors[0].code).toBe('MANIFEST_BLOB_UNKNOWN')
    })

    it('copies an image between repositories (mounting) and through memory, preserving digests', async () => {
      const name = repoName('copy-src')
      const image = await pushImage(client, name, 'v1')
      const dst = client.repository(repoName('copy-dst'))
      const events: string[] = []
      const root = await copy(image.repo, dst, {
        reference: 'v1',
        onCopy: (e) => events.push(e.action),
      })
      expect(root).toEqual(image.descriptor)
      expect(events.sort()).toEqual(['copied', 'mounted', 'mounted'])
      expect((await dst.headManifest('v1')).digest).toBe(image.descriptor.digest)
      const memory = new MemoryTarget()
      await copy(dst, memory, { reference: 'v1' })
      expect(memory.blobs.size).toBe(3)
      const back = client.repository(repoName('copy-back'))
      await copy(memory, back, { reference: 'v1', destinationReference: 'again' })
      expect((await back.getManifest('again')).descriptor).toEqual(image.descriptor)
      const again: string[] = []
      await copy(image.repo, dst, { reference: 'v1', onCopy: (e) => again.push(e.action) })
      expect(again).toEqual(['skipped'])
    })

    it.skipIf(!kind.auth)('refuses requests without valid credentials', async () => {
      const anonymous = recordingClient(target).client
      await expect(
        anonymous.repository('contract/private').getManifest('v1'),
      ).rejects.toBeInstanceOf(UnauthorizedError)
      expect((await anonymous.ping()).status).toBe(401)
      const wrong = recordingClient(target, target.badAuth!()).client
      await expect(wrong.repository('contract/private').getManifest('v1')).rejects.toMatchObject({
        code: expect.stringMatching(/^ERR_(UNAUTHORIZED|TOKEN)$/),
      })
    })
  })
}
