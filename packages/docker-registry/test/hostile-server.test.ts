import { createHash } from 'node:crypto'
import { WharfError } from '@wharf/core-http'
import {
  drainBounded,
  type HostileAnswers,
  hostileResponder,
  hostileRounds,
} from '@wharf/tooling/fuzz'
import { http } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEndpoint, createSession, DockerMediaType, login } from '../src/index.js'

const msw = setupServer()
beforeAll(() => msw.listen({ onUnhandledRequest: 'error' }))
afterAll(() => msw.close())

const sha256 = (b: Uint8Array | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`
const hex = (s: string) => createHash('sha256').update(s).digest('hex')
const BASE = hex('base')
const TOP = hex('top')
const layer = new TextEncoder().encode('layer bytes')
const imageJson = JSON.stringify({ id: TOP, parent: BASE, created: '2020-01-01T00:00:00Z' })
const manifest = {
  schemaVersion: 2 as const,
  mediaType: DockerMediaType.ManifestV2,
  config: { mediaType: DockerMediaType.ImageConfig, digest: sha256('{}'), size: 2 },
  layers: [{ mediaType: DockerMediaType.Layer, digest: sha256(layer), size: layer.byteLength }],
}
const schema1 = {
  schemaVersion: 1,
  name: 'library/app',
  tag: 'v1',
  architecture: 'amd64',
  fsLayers: [{ blobSum: sha256(layer) }],
  history: [{ v1Compatibility: JSON.stringify({ id: TOP }) }],
  signatures: [
    {
      header: { alg: 'ES256' },
      signature: 'c2ln',
      protected: 'eyJmb3JtYXRMZW5ndGgiOjEwLCJmb3JtYXRUYWlsIjoiZlEifQ',
    },
  ],
}

describe('a hostile Docker registry and index', () => {
  it('gets typed errors only: random statuses, headers and bodies on every request', async () => {
    const answers: HostileAnswers = {
      seeds: [
        JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'x', detail: {} }] }),
        JSON.stringify({ error: 'Image already exists' }),
        JSON.stringify({ details: 'incorrect username or password' }),
        JSON.stringify(manifest),
        JSON.stringify(schema1),
        JSON.stringify({ tags: ['a', 'b'], name: 'library/app' }),
        JSON.stringify({ token: 'tok', access_token: 'tok', refresh_token: 'r', expires_in: 60 }),
        JSON.stringify([{ id: TOP, checksum: sha256('x'), Tag: 'latest' }, { id: BASE }]),
        JSON.stringify([TOP, BASE]),
        JSON.stringify({ latest: TOP, v1: BASE }),
        imageJson,
        JSON.stringify({
          query: 'redis',
          num_results: 1,
          num_pages: 1,
          page: 1,
          page_size: 25,
          results: [{ name: 'redis', description: 'x', star_count: 3, is_official: true }],
        }),
        '</v2/library/app/tags/list?last=b>; rel="next"',
        'bytes 0-10/11',
        'Bearer realm="http://evil.mock/token",service="evil",scope="repository:library/app:pull"',
        'Basic realm="auth required",Token',
        '/v2/library/app/blobs/uploads/abc?_state=x',
        'signature=abc,repository="library/app",access=read',
        'evil.mock, evil.mock:80',
        '100;w=21600',
        'registry/2.0',
        '12',
        sha256(layer),
      ],
      headers: [
        'location',
        'link',
        'content-range',
        'accept-ranges',
        'www-authenticate',
        'docker-content-digest',
        'docker-distribution-api-version',
        'x-docker-token',
        'x-docker-endpoints',
        'x-docker-size',
        'x-docker-checksum',
        'x-docker-registry-version',
        'x-docker-registry-standalone',
        'ratelimit-limit',
        'ratelimit-remaining',
        'docker-ratelimit-source',
        'set-cookie',
      ],
      contentTypes: [
        DockerMediaType.ManifestV2,
        DockerMediaType.ManifestList,
        DockerMediaType.ManifestV1Signed,
        'application/json',
        'application/octet-stream',
        'text/html',
      ],
    }
    // A RegExp, not a path pattern: msw would try to decode the hostile paths as parameters.
    // Redirects and token realms in the seeds point back at evil.mock; the mutated ones that
    // name any other origin get a second hostile server there.
    msw.use(
      http.all(/^http:\/\/evil\.mock\//, hostileResponder(answers, 2031)),
      http.all(/^https?:\/\//, hostileResponder(answers, 2032)),
    )
    const transport = { retry: { limit: 1, delay: 1 }, allowInsecure: true }
    const anonymous = createSession('http://evil.mock', transport)
    const alice = createSession('http://evil.mock', {
      ...transport,
      authConfig: { username: 'alice', password: 's3cret' },
    })
    const registry = 'http://evil.mock/v1/'
    const operations: Array<[string, () => Promise<unknown>]> = [
      ['ping', () => createEndpoint('http://evil.mock', transport).ping()],
      [
        'login with a password',
        () =>
          login(
            { username: 'alice', password: 's3cret', serverAddress: 'http://evil.mock' },
            transport,
          ),
      ],
      [
        'login with an identity token',
        () => login({ identityToken: 'r', serverAddress: 'http://evil.mock' }, transport),
      ],
      ['getV2Version', () => anonymous.getV2Version()],
      [
        'getV2RemoteTags',
        () => drainBounded(anonymous.repository('library/app').listTags({ n: 2 })),
      ],
      ['getV2ImageManifest', () => anonymous.getV2ImageManifest('library/app', 'v1')],
      [
        'getV2ImageManifest by digest',
        () => alice.getV2ImageManifest('library/app', sha256(JSON.stringify(manifest))),
      ],
      ['putV2ImageManifest', () => alice.putV2ImageManifest('library/app', 'v1', manifest)],
      [
        'putV2ImageManifest schema 1',
        () =>
          anonymous.putV2ImageManifest(
            'library/app',
            'v1',
            new TextEncoder().encode(JSON.stringify(schema1)),
          ),
      ],
      [
        'getV2ImageBlobReader',
        async () => {
          const { stream } = await anonymous.getV2ImageBlobReader('library/app', sha256(layer))
          await new Response(stream).arrayBuffer()
        },
      ],
      ['putV2ImageBlob', () => anonymous.putV2ImageBlob('library/app', layer)],
      [
        'postV2ImageMountBlob',
        () => anonymous.postV2ImageMountBlob('library/app', sha256(layer), { from: 'other/app' }),
      ],
      ['searchRepositories', () => anonymous.searchRepositories('redis', { limit: 5 })],
      ['getRepositoryData', () => alice.getRepositoryData('library/app')],
      ['getRemoteHistory', () => anonymous.getRemoteHistory(TOP, registry)],
      ['getRemoteImageJSON', () => anonymous.getRemoteImageJSON(TOP, registry)],
      [
        'getRemoteImageLayer',
        async () => {
          const stream = await anonymous.getRemoteImageLayer(TOP, registry, {
            size: layer.byteLength,
          })
          await new Response(stream).arrayBuffer()
        },
      ],
      [
        'getRemoteImageLayer resumed',
        async () => {
          const stream = await anonymous.getRemoteImageLayer(TOP, registry, {
            size: layer.byteLength,
            offset: 2,
            maxResumes: 2,
          })
          await new Response(stream).arrayBuffer()
        },
      ],
      ['getRemoteTags', () => anonymous.getRemoteTags([registry], 'library/app')],
      [
        'push V1 image',
        async () => {
          await alice.pushImageJSONIndex('library/app', [{ id: TOP, tag: 'latest' }])
          await alice.pushImageJSONRegistry({ id: TOP }, imageJson, registry)
          const sums = await alice.pushImageLayerRegistry(TOP, layer, registry, {
            jsonRaw: imageJson,
          })
          await alice.pushImageChecksumRegistry({ id: TOP, ...sums }, registry)
          await alice.pushRegistryTag('library/app', TOP, 'latest', registry)
        },
      ],
      ['lookupRemoteImage', () => alice.lookupRemoteImage(TOP, registry)],
    ]
    const typed = (e: unknown): e is WharfError => e instanceof WharfError
    const { untyped, outcomes } = await hostileRounds(operations, typed, 400, 2033)
    await anonymous.close()
    await alice.close()
    expect(untyped).toEqual([])
    // The answers reached many different paths of the client.
    expect(outcomes.size).toBeGreaterThanOrEqual(15)
  }, 60_000)
})
