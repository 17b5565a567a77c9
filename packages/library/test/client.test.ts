import { HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  compareVersions,
  createLibraryClient,
  LibraryError,
  NotFoundError,
  UnauthorizedError,
} from '../src/index.js'
import { createMockLibrary } from '../src/mock/index.js'
import { bytesOf, libraryHash, rejection, startLibrary } from './helpers.js'

describe('getVersion', () => {
  it('reads the version envelope', async () => {
    const { client, libraryRequests } = await startLibrary({ apiVersion: '2.0.0-alpha.1' })
    expect(await client.getVersion()).toEqual({ version: 'v1.0.0', apiVersion: '2.0.0-alpha.1' })
    expect(libraryRequests().map((r) => `${r.method} ${r.path}`)).toEqual(['GET /version'])
  })

  it('sends the user agent and resolves paths under a base path', async () => {
    const seen: string[] = []
    const server = setupServer(
      http.get('http://127.0.0.1:9/prefix/version', ({ request }) => {
        seen.push(request.headers.get('user-agent') ?? '')
        return HttpResponse.json({ data: { version: 'x', apiVersion: '1.0.0' } })
      }),
    )
    server.listen({ onUnhandledRequest: 'error' })
    try {
      const client = createLibraryClient({ baseURL: 'http://127.0.0.1:9/prefix' })
      expect((await client.getVersion()).apiVersion).toBe('1.0.0')
      expect(seen).toEqual([expect.stringMatching(/^wharf-library\/\d+\.\d+\.\d+/)])
    } finally {
      server.close()
    }
  })

  it('refuses base URLs that are not http(s) URLs with typed errors', () => {
    for (const baseURL of ['not a url', 'ftp://library.test/', 'https://u:p@library.test/']) {
      expect(() => createLibraryClient({ baseURL })).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_URL' }),
      )
    }
  })

  it.each([
    ['2.0.0-alpha.1', '2.0.0-alpha.2', -1],
    ['2.0.0-alpha.2', '2.0.0-alpha.2', 0],
    ['2.0.0', '2.0.0-alpha.2', 1],
    ['2.1.0', '2.0.0', 1],
    ['1.0.0', '2.0.0-alpha.1', -1],
    ['2.0.0-alpha.10', '2.0.0-alpha.2', 1],
    ['2.0.0-alpha', '2.0.0-alpha.1', -1],
    ['2.0.0-1', '2.0.0-alpha', -1],
    ['v2.0.0', '2.0.0', undefined],
    ['2.0', '2.0.0', undefined],
  ])('compareVersions(%s, %s) = %s', (a, b, expected) => {
    expect(compareVersions(a, b)).toBe(expected)
  })
})

/** Pushes a small image so there is something to find. */
async function seed(
  client: ReturnType<typeof createLibraryClient>,
  path: string,
  seedByte: number,
) {
  const bytes = bytesOf(1000 + seedByte, seedByte)
  await client.uploadImage(bytes, { path, arch: 'amd64', tags: ['latest', 'v1'] })
  return bytes
}

describe('search', () => {
  it('finds entities, collections, containers and images; arch limits to images', async () => {
    const { client, libraryRequests } = await startLibrary()
    const alpine = await seed(client, 'alice/tools/alpine', 1)
    await seed(client, 'alice/tools/busybox', 2)
    const all = await client.search({ value: 'alpine' })
    expect(all.containers.map((c) => c.name)).toEqual(['alpine'])
    expect(all.images.map((i) => i.hash)).toEqual([libraryHash(alpine)])
    expect(all.images[0]).toMatchObject({
      entityName: 'alice',
      collectionName: 'tools',
      containerName: 'alpine',
      tags: ['latest', 'v1'],
      arch: 'amd64',
    })
    expect((await client.search({ value: 'alic' })).entities.map((e) => e.name)).toEqual(['alice'])
    expect((await client.search({ value: 'tools' })).collections.map((c) => c.name)).toEqual([
      'tools',
    ])

    const amd = await client.search({ value: 'alpine', arch: 'amd64,arm64', signed: false })
    expect(amd.containers).toEqual([])
    expect(amd.images).toHaveLength(1)
    expect((await client.search({ value: 'alpine', arch: 'arm64' })).images).toEqual([])
    expect(libraryRequests().at(-1)?.path).toBe('/v1/search?arch=arm64&value=alpine')
  })

  it('refuses short or missing values before any request', async () => {
    const { client, libraryRequests } = await startLibrary()
    for (const value of ['', 'ab', undefined]) {
      const error = await rejection(client.search({ value } as never))
      expect(error).toBeInstanceOf(LibraryError)
      expect(error.code).toBe('ERR_INVALID_ARGUMENT')
    }
    expect(libraryRequests()).toEqual([])
  })
})

describe('getImage and deleteImage', () => {
  it('gets an image by tag, by arch tag and by hash, then deletes it', async () => {
    const { client, libraryRequests } = await startLibrary()
    const bytes = await seed(client, 'alice/tools/alpine', 3)
    const byTag = await client.getImage('alice/tools/alpine:v1')
    expect(byTag).toMatchObject({
      hash: libraryHash(bytes),
      size: bytes.byteLength,
      uploaded: true,
    })
    expect((await client.getImage('library://alice/tools/alpine', { arch: 'amd64' })).id).toBe(
      byTag.id,
    )
    expect((await client.getImage(`alice/tools/alpine:${libraryHash(bytes)}`)).id).toBe(byTag.id)
    expect(libraryRequests().at(-1)?.path).toBe(
      `/v1/images/alice/tools/alpine:${libraryHash(bytes)}?arch=`,
    )
    expect(
      await rejection(client.getImage('alice/tools/alpine', { arch: 'arm64' })),
    ).toBeInstanceOf(NotFoundError)

    await client.deleteImage('alice/tools/alpine:latest', { arch: 'amd64' })
    expect(libraryRequests().at(-1)).toMatchObject({
      method: 'DELETE',
      path: '/v1/images/alice/tools/alpine:latest?arch=amd64',
    })
    const gone = await rejection(client.getImage('alice/tools/alpine:v1'))
    expect(gone).toBeInstanceOf(NotFoundError)
    expect(gone.status).toBe(404)
    expect(gone.code).toBe('ERR_NOT_FOUND')
    expect(
      await rejection(client.deleteImage('alice/tools/alpine', { arch: 'amd64' })),
    ).toBeInstanceOf(NotFoundError)
  })

  it('rejects bad references and a missing arch with typed errors, sending nothing', async () => {
    const { client, libraryRequests } = await startLibrary()
    const cases: Array<[() => Promise<unknown>, string]> = [
      [() => client.getImage(''), 'ERR_INVALID_REF'],
      [() => client.getImage('a/b/c:t1:t2'), 'ERR_INVALID_REF'],
      [() => client.getImage('library://a/b/c:t1,t2'), 'ERR_INVALID_REF'],
      [() => client.getImage('library://other.example/e/c/p'), 'ERR_HOST_MISMATCH'],
      [() => client.getImage('library:?x'), 'query-not-permitted'],
      [() => client.deleteImage('a/b/c', {} as never), 'ERR_INVALID_ARGUMENT'],
    ]
    for (const [call, code] of cases) expect((await rejection(call())).code).toBe(code)
    expect(libraryRequests()).toEqual([])
  })

  it('retries a GET the library answered with 503 once', async () => {
    const { client, mock, libraryRequests } = await startLibrary()
    await seed(client, 'a/b/c', 5)
    mock.requests.length = 0
    mock.faults.failNext = { status: 503, count: 1, paths: /^\/v1\/images\// }
    expect((await client.getImage('a/b/c', { arch: 'amd64' })).uploaded).toBe(true)
    expect(libraryRequests().map((r) => r.path)).toEqual([
      '/v1/images/a/b/c:latest?arch=amd64',
      '/v1/images/a/b/c:latest?arch=amd64',
    ])
  })

  it('never sends the token over plain HTTP to a host that is not loopback', async () => {
    const client = createLibraryClient({ baseURL: 'http://library.example/', authToken: 't0k' })
    const error = await rejection(client.getImage('a/b/c'))
    expect(error.code).toBe('ERR_INSECURE_TRANSPORT')
    expect(error.message).not.toContain('t0k')
  })

  it('maps 401 to UnauthorizedError and sends the bearer token', async () => {
    const { server, libraryRequests } = await startLibrary({ tokens: ['s3cret'] })
    const anonymous = createLibraryClient({ baseURL: server.url })
    const error = await rejection(anonymous.getImage('a/b/c'))
    expect(error).toBeInstanceOf(UnauthorizedError)
    expect(error.errors).toEqual([{ code: '401', message: 'Authentication required' }])
    const wrong = createLibraryClient({ baseURL: server.url, authToken: 'nope' })
    expect(await rejection(wrong.getImage('a/b/c'))).toBeInstanceOf(UnauthorizedError)
    expect(String((await rejection(wrong.getImage('a/b/c'))).message)).not.toContain('nope')

    const good = createLibraryClient({ baseURL: server.url, authToken: async () => 's3cret' })
    expect(await rejection(good.getImage('a/b/c'))).toBeInstanceOf(NotFoundError)
    expect(libraryRequests().at(-1)?.headers.authorization).toBe('Bearer s3cret')
  })
})

describe('over msw', () => {
  // Loopback origins where nothing listens: msw answers, or the test fails without traffic.
  const mock = createMockLibrary({ url: 'http://127.0.0.1:9', storageUrl: 'http://127.0.0.1:10' })
  const server = setupServer(...mock.handlers())
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
  afterAll(() => server.close())

  it('pushes, finds and pulls through the msw handlers of both origins', async () => {
    const client = createLibraryClient({ baseURL: mock.url, authToken: 't' })
    const bytes = bytesOf(5000, 9)
    const done = await client.uploadImage(bytes, { path: 'e/c/n', tags: ['x'] })
    expect(done?.containerUrl).toBe('entities/e/collections/c/containers/n')
    const chunks: Uint8Array[] = []
    await client.downloadImage('e/c/n:x', {
      arch: 'amd64',
      writable: new WritableStream({ write: (c) => void chunks.push(c) }),
    })
    expect(Buffer.concat(chunks).equals(Buffer.from(bytes))).toBe(true)
    const storage = mock.requests.filter((r) => r.origin === 'storage')
    expect(storage.map((r) => r.method)).toEqual(['PUT', 'GET'])
    expect(storage.every((r) => r.headers.authorization === undefined)).toBe(true)
  })
})
