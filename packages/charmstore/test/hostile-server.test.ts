import { bakeryAuth } from '@wharf/auth'
import { type FetchLike, WharfError } from '@wharf/core-http'
import { type HostileAnswers, hostileResponder, hostileRounds } from '@wharf/tooling/fuzz'
import { http } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CharmStoreClientOptions, createCharmStoreClient } from '../src/index.js'
import { createMockCharmStore } from '../src/mock/index.js'
import { charmZip } from './fixtures.js'

const msw = setupServer()
beforeAll(() => msw.listen({ onUnhandledRequest: 'error' }))
afterAll(() => msw.close())

const STORE = 'http://evil.mock'
const DISCHARGER = 'http://discharger.evil.mock'
const charm = charmZip('hello', {
  series: ['focal'],
  resources: { greeting: { type: 'file', filename: 'greeting.txt' } },
})
const k8s = charmZip('web', {
  series: ['kubernetes'],
  resources: { image: { type: 'oci-image' } },
})
const greeting = new TextEncoder().encode('hello, world\n')
const digest = `sha256:${'ab'.repeat(32)}`

/** Drains a stream. */
const drain = (body: ReadableStream<Uint8Array>) => new Response(body).arrayBuffer()

/** A store and a bakery client over `fetch`, and the operations every test runs. */
function clients(fetch?: FetchLike) {
  const http: CharmStoreClientOptions['http'] = {
    retry: { limit: 1, delay: 1 },
    ...(fetch ? { fetch } : {}),
  }
  const anonymous = createCharmStoreClient({ url: STORE, http })
  const alice = createCharmStoreClient({
    url: STORE,
    auth: bakeryAuth({ allowInsecure: true, ...(fetch ? { fetch } : {}) }),
    minMultipartUploadSize: 8,
    http,
  })
  const operations: Array<[string, () => Promise<unknown>]> = [
    ['meta', () => anonymous.meta('~alice/hello', { archiveSize: true, charmMetadata: true })],
    ['latest', () => anonymous.latest(['~alice/hello', 'cs:~alice/focal/hello-3'])],
    ['getArchive', async () => drain((await alice.getArchive('~alice/focal/hello-0')).body)],
    [
      'getFileFromArchive',
      async () => drain((await alice.getFileFromArchive('~alice/hello', 'metadata.yaml')).body),
    ],
    ['listResources', () => alice.listResources('~alice/focal/hello-0')],
    ['resourceMeta', () => alice.resourceMeta('~alice/focal/hello-0', 'greeting', 0)],
    [
      'getResource',
      async () => drain((await alice.getResource('~alice/focal/hello-0', 'greeting')).body),
    ],
    ['uploadCharm', () => alice.uploadCharm('~alice/focal/hello', charm)],
    [
      'uploadCharmWithRevision',
      () =>
        alice.uploadCharmWithRevision('~alice/focal/hello-1', new Blob([charm as BlobPart]), 1, {
          channels: ['edge'],
        }),
    ],
    [
      'uploadResource',
      () =>
        alice.uploadResource('~alice/focal/hello-0', 'greeting', {
          source: greeting.subarray(0, 4),
          filename: 'greeting.txt',
        }),
    ],
    [
      'uploadResource multipart',
      () =>
        alice.uploadResource('~alice/focal/hello-0', 'greeting', {
          source: new Blob([greeting]),
          filename: 'greeting.txt',
          concurrency: 2,
        }),
    ],
    [
      'resumeUploadResource',
      () =>
        alice.resumeUploadResource('up1', '~alice/focal/hello-0', 'greeting', {
          source: greeting,
          filename: 'greeting.txt',
        }),
    ],
    [
      'dockerResourceUploadInfo',
      () => alice.dockerResourceUploadInfo('~alice/kubernetes/web-0', 'image'),
    ],
    [
      'dockerResourceDownloadInfo',
      () => alice.dockerResourceDownloadInfo('~alice/kubernetes/web-0', 'image'),
    ],
    [
      'addDockerResource',
      () => alice.addDockerResource('~alice/kubernetes/web-0', 'image', { digest }),
    ],
    ['publish', () => alice.publish('~alice/focal/hello-0', ['stable'], { greeting: 0 })],
    ['putExtraInfo', () => alice.putExtraInfo('~alice/focal/hello-0', { digest: 'abc' })],
    ['whoAmI', () => alice.whoAmI()],
  ]
  return { anonymous, alice, operations }
}

describe('a hostile charm store and discharger', () => {
  it('gets typed errors only: random statuses, headers and bodies on every request', async () => {
    // Seeds: what the mock store and discharger answer to the same operations.
    const mock = createMockCharmStore({
      url: STORE,
      dischargerUrl: DISCHARGER,
      discharger: { user: 'alice' },
      limits: { minPart: 4 },
    })
    const bodies = new Set<string>()
    const discharges = new Set<string>()
    const values = new Set<string>()
    const recording: FetchLike = async (input, init) => {
      const request = new Request(input, init)
      const discharger = new URL(request.url).origin === DISCHARGER
      const response = await (discharger ? mock.handleDischarge(request) : mock.handle(request))
      const text = await response.clone().text()
      if (text && text.length < 8192) (discharger ? discharges : bodies).add(text)
      for (const name of ['entity-id', 'content-sha384', 'www-authenticate', 'content-length']) {
        const value = response.headers.get(name)
        if (value) values.add(value)
      }
      return response
    }
    const honest = clients(recording)
    await honest.alice.uploadCharm('~alice/kubernetes/web', k8s)
    // Twice: the reads find what the first round uploaded.
    for (let i = 0; i < 2; i++) for (const [, run] of honest.operations) await run().catch(() => {})
    // A discharger that wants a human to log in first.
    mock.state.discharger.user = undefined
    mock.state.discharger.interactiveUser = 'bob'
    await clients(recording)
      .alice.whoAmI()
      .catch(() => {})
    expect(bodies.size).toBeGreaterThan(10)

    const storeAnswers: HostileAnswers = {
      seeds: [
        ...bodies,
        ...values,
        JSON.stringify({ Message: 'not found: ~alice/hello', Code: 'not found' }),
        JSON.stringify({
          Message: 'multiple errors',
          Code: 'multiple errors',
          Info: { 'cs:hello': { Message: 'not found', Code: 'not found' } },
        }),
        JSON.stringify({ UploadId: 'up1', MinPartSize: 4, MaxPartSize: 8, MaxParts: 4 }),
        JSON.stringify({
          UploadId: 'up1',
          Parts: { Parts: [{ Hash: 'a'.repeat(96), Size: 4, Offset: 0, Complete: true }] },
          MinPartSize: 4,
          MaxPartSize: 8,
          MaxParts: 4,
        }),
        JSON.stringify({ Hash: 'a'.repeat(96) }),
        JSON.stringify({ Revision: 3 }),
        JSON.stringify({ ImageName: 'registry/hello', Username: 'u', Password: 'p' }),
        JSON.stringify({ User: 'alice', Groups: ['admins'] }),
        'cs:~alice/focal/hello-0',
        'Macaroon',
      ],
      headers: ['entity-id', 'content-sha384', 'www-authenticate', 'content-length', 'location'],
      contentTypes: [
        'application/json',
        'application/zip',
        'application/octet-stream',
        'text/plain',
      ],
      // Only 200 is success here; 401 and 407 are the bakery's challenges.
      statuses: [
        200, 200, 200, 200, 200, 200, 201, 204, 302, 400, 401, 403, 404, 407, 409, 500, 503,
      ],
    }
    const dischargerAnswers: HostileAnswers = {
      ...storeAnswers,
      seeds: [...discharges],
      headers: ['location', 'www-authenticate'],
    }
    // A RegExp, not a path pattern: msw would try to decode the hostile paths as parameters.
    // The discharger (and any other origin a hostile answer names) is a second hostile server.
    const answer = hostileResponder(storeAnswers, 4143)
    msw.use(
      http.all(/^http:\/\/evil\.mock\//, answer),
      http.all(/^https?:\/\//, hostileResponder(dischargerAnswers, 4144)),
    )
    // Under /deep/ the mock store answers requests without macaroons, so that every call there
    // starts with a real discharge-required challenge and reaches the hostile discharger.
    const macaroons = (request: Request) => /macaroon-/.test(request.headers.get('cookie') ?? '')
    msw.use(
      http.all(/^http:\/\/evil\.mock\/deep\//, ({ request }) =>
        macaroons(request) ? answer() : mock.handle(request),
      ),
    )
    const { operations } = clients()
    const deep = createCharmStoreClient({
      url: `${STORE}/deep`,
      auth: bakeryAuth({ allowInsecure: true, interact: async () => {}, waitTimeout: 1000 }),
      http: { retry: { limit: 1, delay: 1 } },
    })
    operations.push(
      ['deep login', () => deep.login()],
      ['deep uploadCharm', () => deep.uploadCharm('~alice/focal/hello', charm)],
    )
    const typed = (e: unknown): e is WharfError => e instanceof WharfError
    const { untyped, outcomes } = await hostileRounds(operations, typed, 400, 4145)
    expect(untyped).toEqual([])
    // The answers reached many different paths of the client.
    expect(outcomes.size).toBeGreaterThanOrEqual(6)
  }, 60_000)
})
