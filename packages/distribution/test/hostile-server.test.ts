import { createHash } from 'node:crypto'
import { WharfError } from '@wharf/core-http'
import { drainBounded, hostileResponder, hostileRounds } from '@wharf/tooling/fuzz'
import { http } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { catalog, createRegistryClient, MediaType } from '../src/index.js'

const msw = setupServer()
beforeAll(() => msw.listen({ onUnhandledRequest: 'error' }))
afterAll(() => msw.close())

const sha256 = (b: Uint8Array | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`
const layer = new TextEncoder().encode('layer bytes')
const manifest = {
  schemaVersion: 2 as const,
  mediaType: MediaType.ImageManifest,
  config: { mediaType: MediaType.ImageConfig, digest: sha256('{}'), size: 2 },
  layers: [{ mediaType: MediaType.ImageLayer, digest: sha256(layer), size: layer.byteLength }],
}

describe('a hostile registry', () => {
  it('gets typed errors only: random statuses, headers and bodies on every request', async () => {
    const answer = hostileResponder(
      {
        seeds: [
          JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'x', detail: {} }] }),
          JSON.stringify(manifest),
          JSON.stringify({ tags: ['a', 'b'], name: 'acme/app' }),
          JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ImageIndex, manifests: [] }),
          '</v2/acme/app/tags/list?last=b>; rel="next"',
          'bytes 0-10/11',
          'Bearer realm="http://evil.mock/token",service="evil",scope="repository:acme/app:pull"',
          '/v2/acme/app/blobs/uploads/abc?_state=x',
          sha256(layer),
        ],
        headers: [
          'location',
          'link',
          'content-range',
          'range',
          'www-authenticate',
          'docker-content-digest',
          'oci-chunk-min-length',
          'oci-subject',
          'oci-tag',
        ],
        contentTypes: [
          MediaType.ImageManifest,
          MediaType.ImageIndex,
          'application/json',
          'text/html',
        ],
      },
      2026,
    )
    // A RegExp, not a path pattern: msw would try to decode the hostile paths as parameters.
    msw.use(http.all(/^http:\/\/evil\.mock\//, answer))
    const client = createRegistryClient({
      registry: 'http://evil.mock',
      retry: { limit: 1, delay: 1 },
    })
    const repo = client.repository('acme/app')
    const operations: Array<[string, () => Promise<unknown>]> = [
      ['verify', () => client.verify()],
      ['getManifest', () => repo.getManifest('v1')],
      ['getManifest by digest', () => repo.getManifest(sha256(JSON.stringify(manifest)))],
      ['headManifest', () => repo.headManifest('v1')],
      ['getBlob', async () => new Response(await repo.getBlob(sha256(layer))).arrayBuffer()],
      ['headBlob', () => repo.headBlob(sha256(layer))],
      ['pushBlob', () => repo.pushBlob(layer)],
      ['pushBlob stream', () => repo.pushBlob(new Blob([layer]).stream())],
      ['pushBlob chunked', () => repo.pushBlob(layer, { monolithicThreshold: 0, chunkSize: 4 })],
      ['mountBlob', () => repo.mountBlob(sha256(layer), 'other/repo', { source: layer })],
      ['putManifest', () => repo.putManifest('v1', manifest, undefined, { tags: ['a'] })],
      ['deleteManifest', () => repo.deleteManifest(sha256(JSON.stringify(manifest)))],
      ['listTags', () => drainBounded(repo.listTags({ n: 2 }))],
      ['referrers', () => drainBounded(repo.referrers(sha256(layer)))],
      ['catalog', () => drainBounded(catalog(client))],
      ['getManifests', () => repo.getManifests('v1')],
    ]
    const typed = (e: unknown): e is WharfError => e instanceof WharfError
    const { untyped, outcomes } = await hostileRounds(operations, typed, 400, 2028)
    expect(untyped).toEqual([])
    // The answers reached many different paths of the client.
    expect(outcomes.size).toBeGreaterThanOrEqual(10)
  }, 60_000)
})
