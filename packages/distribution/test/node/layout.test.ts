import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DigestMismatchError } from '@wharf/transfer'
import { http, HttpResponse as MswResponse } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  createRegistryClient,
  DigestInvalidError,
  type ImageManifest,
  MediaType,
} from '../../src/index.js'
import { createMockRegistry, type MockRegistry } from '../../src/mock/index.js'
import {
  downloadBlob,
  LayoutError,
  openLayout,
  pullToLayout,
  pushFromLayout,
  REF_NAME,
} from '../../src/node/index.js'

const sha256 = (b: Uint8Array | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`
const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v))

const msw = setupServer()
let registry: MockRegistry
let dir: string
beforeAll(() => msw.listen({ onUnhandledRequest: 'error' }))
beforeEach(async () => {
  registry = createMockRegistry()
  msw.use(...registry.handlers())
  dir = await mkdtemp(join(tmpdir(), 'wharf-layout-test-'))
})
afterEach(async () => {
  msw.resetHandlers()
  await rm(dir, { recursive: true, force: true })
})
afterAll(() => msw.close())

const client = createRegistryClient({
  registry: 'http://registry.mock',
  retry: { limit: 1, delay: 1 },
})

async function pushImage(repoName: string, layerSize: number) {
  const repo = client.repository(repoName)
  const config = json({ architecture: 'amd64', os: 'linux' })
  const layer = randomBytes(layerSize)
  await repo.pushBlob(config)
  await repo.pushBlob(layer)
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaType.ImageManifest,
    config: { mediaType: MediaType.ImageConfig, digest: sha256(config), size: config.byteLength },
    layers: [{ mediaType: MediaType.ImageLayerGzip, digest: sha256(layer), size: layerSize }],
  }
  const { descriptor } = await repo.putManifest('v1', manifest)
  return { repo, config, layer, descriptor }
}

describe('OCI image layout', () => {
  it('pulls an image into a layout skopeo and umoci can read, and pushes it back', async () => {
    const image = await pushImage('acme/app', 5000)
    const root = await pullToLayout(image.repo, 'v1', dir)
    expect(root).toEqual(image.descriptor)
    expect(JSON.parse(await readFile(join(dir, 'oci-layout'), 'utf8'))).toEqual({
      imageLayoutVersion: '1.0.0',
    })
    const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8'))
    expect(index.manifests).toEqual([{ ...image.descriptor, annotations: { [REF_NAME]: 'v1' } }])
    for (const bytes of [image.config, image.layer]) {
      const file = join(dir, 'blobs', 'sha256', sha256(bytes).slice(7))
      expect(sha256(await readFile(file))).toBe(sha256(bytes))
    }
    const target = client.repository('acme/copy')
    const pushed = await pushFromLayout(dir, 'v1', target, { tag: 'from-layout' })
    expect(pushed).toEqual(image.descriptor)
    expect(registry.manifest('acme/copy', 'from-layout')?.digest).toBe(image.descriptor.digest)
    expect(registry.blob('acme/copy', sha256(image.layer))).toEqual(new Uint8Array(image.layer))
  })

  it('downloads large blobs with concurrent Range requests straight into the layout', async () => {
    const image = await pushImage('acme/big', 100_000)
    const start = registry.requests.length
    await pullToLayout(image.repo, 'v1', dir, { rangedDownloadThreshold: 10_000, partSize: 16_384 })
    const ranges = registry.requests
      .slice(start)
      .filter((r) => r.url.includes(sha256(image.layer)) && r.headers.range)
      .map((r) => r.headers.range)
    expect(ranges.length).toBeGreaterThanOrEqual(6)
    expect(ranges).toContain('bytes=16384-32767')
    expect(sha256(await readFile(join(dir, 'blobs', 'sha256', sha256(image.layer).slice(7))))).toBe(
      sha256(image.layer),
    )
  })

  it('pushes layout blobs as byte ranges in PATCH chunks', async () => {
    const image = await pushImage('acme/src', 70_000)
    await pullToLayout(image.repo, 'v1', dir)
    const start = registry.requests.length
    const layout = await openLayout(dir, { create: false })
    const target = client.repository('acme/dst')
    const layer = { mediaType: MediaType.ImageLayerGzip, digest: sha256(image.layer), size: 70_000 }
    await target.pushBlob(await layout.source(layer), {
      digest: layer.digest,
      monolithicThreshold: 1000,
      chunkSize: 32_768,
    })
    const patches = registry.requests.slice(start).filter((r) => r.method === 'PATCH')
    expect(patches.map((p) => p.headers['content-range'])).toEqual([
      '0-32767',
      '32768-65535',
      '65536-69999',
    ])
    expect(registry.blob('acme/dst', layer.digest)).toEqual(new Uint8Array(image.layer))
  })

  it('never trusts a corrupted layout file', async () => {
    const image = await pushImage('acme/app', 3000)
    await pullToLayout(image.repo, 'v1', dir)
    await writeFile(join(dir, 'blobs', 'sha256', sha256(image.layer).slice(7)), randomBytes(3000))
    await expect(pushFromLayout(dir, 'v1', client.repository('acme/other'))).rejects.toBeInstanceOf(
      DigestInvalidError,
    )
    const layout = await openLayout(dir)
    const stream = await layout.fetch({
      mediaType: MediaType.ImageLayerGzip,
      digest: sha256(image.layer),
      size: 3000,
    })
    await expect(new Response(stream).arrayBuffer()).rejects.toBeInstanceOf(DigestMismatchError)
  })

  it('refuses a directory that is not a layout', async () => {
    await expect(openLayout(dir, { create: false })).rejects.toBeInstanceOf(LayoutError)
    await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"2.0.0"}')
    await expect(openLayout(dir)).rejects.toThrow(/imageLayoutVersion 1.x/)
  })
})

describe('downloadBlob', () => {
  it('downloads with ranges and verifies before the file appears', async () => {
    const image = await pushImage('acme/app', 50_000)
    const path = join(dir, 'layer.bin')
    const done = await downloadBlob(image.repo, sha256(image.layer), path, { partSize: 8192 })
    expect(done.size).toBe(50_000)
    expect(sha256(await readFile(path))).toBe(sha256(image.layer))
    msw.use(
      http.get(
        'http://registry.mock/v2/acme/app/blobs/:digest',
        () => new MswResponse(randomBytes(50_000)),
      ),
      http.head(
        'http://registry.mock/v2/acme/app/blobs/:digest',
        () => new MswResponse(null, { headers: { 'content-length': '50000' } }),
      ),
    )
    const bad = join(dir, 'bad.bin')
    await expect(downloadBlob(image.repo, sha256(image.layer), bad)).rejects.toBeInstanceOf(
      DigestMismatchError,
    )
    expect(existsSync(bad)).toBe(false)
  })
})
