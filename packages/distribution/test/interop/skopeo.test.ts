import { execFile } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { gzipSync } from 'node:zlib'
import { findExecutable, registryBinary, startRegistry } from '@wharf/tooling/registry'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createRegistryClient,
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
  MediaType,
  type RegistryClient,
} from '../../src/index.js'
import { createMockRegistry } from '../../src/mock/index.js'
import { openLayout, pullToLayout, pushFromLayout } from '../../src/node/index.js'

const run = promisify(execFile)
const skopeo = findExecutable('skopeo')
const registry = registryBinary()
if (!skopeo || !registry) {
  console.warn(
    `\n!!! ${[!skopeo && 'skopeo', !registry && 'docker-registry'].filter(Boolean).join(' and ')} NOT installed: ` +
      'the skopeo interop suites are SKIPPED (apt-get install skopeo docker-registry; CI does).\n',
  )
}

const sha256 = (b: Uint8Array | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`
const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v))
const bytesOf = async (s: ReadableStream<Uint8Array>) =>
  new Uint8Array(await new Response(s).arrayBuffer())

/** Builds a two-platform image index in an OCI layout with Wharf (gzip layers, real configs). */
async function buildLayout(dir: string): Promise<{ index: Descriptor; manifests: Descriptor[] }> {
  const layout = await openLayout(dir)
  const put = async (mediaType: string, bytes: Uint8Array): Promise<Descriptor> => {
    const d = { mediaType, digest: sha256(bytes), size: bytes.byteLength }
    await layout.push(d, new Blob([bytes as Uint8Array<ArrayBuffer>]).stream())
    return d
  }
  const manifests: Descriptor[] = []
  for (const architecture of ['amd64', 'arm64']) {
    const layers = [
      await put(MediaType.ImageLayerGzip, gzipSync(randomBytes(30_000))),
      await put(MediaType.ImageLayerGzip, gzipSync(randomBytes(5_000))),
    ]
    const config = await put(
      MediaType.ImageConfig,
      json({
        architecture,
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
        config: {},
      }),
    )
    const manifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: MediaType.ImageManifest,
      config,
      layers,
    }
    const d = await put(MediaType.ImageManifest, json(manifest))
    manifests.push({ ...d, platform: { os: 'linux', architecture } })
  }
  const index: ImageIndex = { schemaVersion: 2, mediaType: MediaType.ImageIndex, manifests }
  const root = await put(MediaType.ImageIndex, json(index))
  await layout.tag(root, 'v1')
  return { index: root, manifests }
}

async function skopeoRun(...args: string[]): Promise<string> {
  const { stdout } = await run(skopeo!, args, { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 })
  return stdout
}

function interop(name: string, start: () => Promise<{ host: string; close(): Promise<void> }>) {
  describe(`skopeo interop: ${name}`, () => {
    let host: string
    let close: () => Promise<void>
    let client: RegistryClient
    let dir: string
    beforeAll(async () => {
      ;({ host, close } = await start())
      client = createRegistryClient({ registry: host, plainHttp: true })
      dir = await mkdtemp(join(tmpdir(), 'wharf-skopeo-'))
    })
    afterAll(async () => {
      await close?.()
      await rm(dir, { recursive: true, force: true })
    })

    it('skopeo pushes an index Wharf built; Wharf pulls it back with the same digests', async () => {
      const src = join(dir, 'built')
      const built = await buildLayout(src)
      await skopeoRun(
        'copy',
        '--all',
        '--preserve-digests',
        '--dest-tls-verify=false',
        `oci:${src}:v1`,
        `docker://${host}/interop/skopeo-pushed:v1`,
      )
      const repo = client.repository('interop/skopeo-pushed')
      const got = await repo.getManifests('v1')
      expect((await repo.headManifest('v1')).digest).toBe(built.index.digest)
      expect(got.manifests).toHaveLength(2)
      const layout = await openLayout(src, { create: false })
      for (const m of got.manifests) {
        for (const blob of [m.config, ...m.layers]) {
          const pulled = await bytesOf(await repo.getBlob(blob.digest, { size: blob.size }))
          expect(sha256(pulled)).toBe(sha256(await bytesOf(await layout.fetch(blob))))
        }
      }
      const out = join(dir, 'wharf-pulled')
      expect((await pullToLayout(repo, 'v1', out)).digest).toBe(built.index.digest)
    })

    it('Wharf pushes an index; skopeo inspects and copies it back unchanged', async () => {
      const src = join(dir, 'wharf-src')
      const built = await buildLayout(src)
      const repo = client.repository('interop/wharf-pushed')
      await pushFromLayout(src, 'v1', repo)
      const raw = await skopeoRun(
        'inspect',
        '--raw',
        '--tls-verify=false',
        `docker://${host}/interop/wharf-pushed:v1`,
      )
      expect(sha256(raw)).toBe(built.index.digest)
      const config = JSON.parse(
        await skopeoRun(
          'inspect',
          '--config',
          '--raw',
          '--tls-verify=false',
          '--override-arch',
          'arm64',
          `docker://${host}/interop/wharf-pushed:v1`,
        ),
      )
      expect(config.architecture).toBe('arm64')
      const back = join(dir, 'skopeo-back')
      await skopeoRun(
        'copy',
        '--all',
        '--preserve-digests',
        '--src-tls-verify=false',
        `docker://${host}/interop/wharf-pushed:v1`,
        `oci:${back}:v1`,
      )
      const index = JSON.parse(await readFile(join(back, 'index.json'), 'utf8'))
      expect(index.manifests[0].digest).toBe(built.index.digest)
      for (const m of built.manifests) {
        const file = join(back, 'blobs', 'sha256', m.digest.slice(7))
        expect(sha256(await readFile(file))).toBe(m.digest)
      }
    })
  })
}

describe.skipIf(!skopeo || !registry)('skopeo 1.9 interop', () => {
  interop('real CNCF registry 2.8', async () => {
    const r = await startRegistry()
    return { host: r.host, close: () => r.close() }
  })
  interop('Wharf mock registry on 127.0.0.1', async () => {
    const listening = await createMockRegistry().listen()
    return { host: new URL(listening.url).host, close: () => listening.close() }
  })
})
