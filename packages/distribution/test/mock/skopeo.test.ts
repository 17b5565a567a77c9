// A real third-party client against the mock's HTTP server: skopeo pushes an image from an OCI
// layout and pulls it back, anonymously and through each auth mode, with blob GETs
// redirected to the storage origin.
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { gzipSync } from 'node:zlib'
import { findExecutable } from '@wharf/tooling/registry'
import { afterAll, describe, expect, it } from 'vitest'
import { createMockRegistry, type MockAuth } from '../../src/mock/index.js'
import { random } from './targets.js'

const run = promisify(execFile)
const skopeo = findExecutable('skopeo')
if (!skopeo) {
  console.warn(
    '\n!!! skopeo NOT installed: the mock skopeo interop suite is SKIPPED (apt-get install skopeo).\n',
  )
}

const digestOf = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`
const work = mkdtempSync(join(tmpdir(), 'wharf-mock-skopeo-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** Writes a one-layer image into an OCI layout and returns its manifest digest. */
function writeLayout(dir: string): string {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true })
  const put = (mediaType: string, bytes: Uint8Array) => {
    const digest = digestOf(bytes)
    writeFileSync(join(dir, 'blobs', 'sha256', digest.slice(7)), bytes)
    return { mediaType, digest, size: bytes.byteLength }
  }
  const layer = put('application/vnd.oci.image.layer.v1.tar+gzip', gzipSync(random(20_000)))
  const config = put(
    'application/vnd.oci.image.config.v1+json',
    new TextEncoder().encode(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: [] },
        config: {},
      }),
    ),
  )
  const manifest = put(
    'application/vnd.oci.image.manifest.v1+json',
    new TextEncoder().encode(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config,
        layers: [layer],
      }),
    ),
  )
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}')
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ ...manifest, annotations: { 'org.opencontainers.image.ref.name': 'v1' } }],
    }),
  )
  return manifest.digest
}

const MODES: Array<[string, MockAuth]> = [
  ['none', { type: 'none' }],
  ['basic', { type: 'basic', username: 'alice', password: 'pw' }],
  ['token', { type: 'token', username: 'alice', password: 'pw' }],
]

describe.skipIf(!skopeo).each(MODES)('skopeo with auth %s', (mode, auth) => {
  it('pushes an image into the mock and pulls it back with the same digests', async () => {
    const registry = createMockRegistry({ auth })
    registry.faults.redirectBlobs = true
    const server = await registry.listen()
    try {
      const source = join(work, `${mode}-in`)
      const target = join(work, `${mode}-out`)
      const digest = writeLayout(source)
      const host = new URL(server.url).host
      const creds = mode === 'none' ? [] : ['--creds', 'alice:pw']
      const flags = (side: 'src' | 'dest') => [
        `--${side}-tls-verify=false`,
        ...(mode === 'none' ? [] : [`--${side}-creds`, 'alice:pw']),
      ]
      await run(skopeo!, [
        'copy',
        ...flags('dest'),
        '--preserve-digests',
        `oci:${source}:v1`,
        `docker://${host}/acme/app:v1`,
      ])
      expect(registry.manifest('acme/app', 'v1')?.digest).toBe(digest)
      const { stdout } = await run(skopeo!, [
        'inspect',
        '--tls-verify=false',
        ...creds,
        `docker://${host}/acme/app:v1`,
      ])
      expect(JSON.parse(stdout).Digest).toBe(digest)
      await run(skopeo!, [
        'copy',
        ...flags('src'),
        '--preserve-digests',
        `docker://${host}/acme/app:v1`,
        `oci:${target}:v1`,
      ])
      const index = JSON.parse(readFileSync(join(target, 'index.json'), 'utf8'))
      expect(index.manifests[0].digest).toBe(digest)
      const storage = registry.requests.filter((q) => q.url.startsWith(server.storageUrl))
      expect(storage.length).toBeGreaterThan(0)
      expect(storage.every((q) => q.headers.authorization === undefined)).toBe(true)
      if (mode !== 'none') {
        const denied = await run(skopeo!, [
          'inspect',
          '--tls-verify=false',
          '--creds',
          'alice:wrong',
          `docker://${host}/acme/app:v1`,
        ]).catch((error: Error) => error)
        expect(denied).toBeInstanceOf(Error)
        expect(String(denied)).toMatch(/unauthorized|authentication|username/i)
      }
    } finally {
      await server.close()
    }
  })
})
