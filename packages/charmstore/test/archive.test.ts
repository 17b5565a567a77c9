import { createHash } from 'node:crypto'
import { BodyTooLargeError } from '@wharf/core-http'
import { HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  CharmStoreProtocolError,
  createCharmStoreClient,
  ErrorCode,
  InvalidArchiveError,
} from '../src/index.js'
import { bundleZip, charmZip, startStore, unexpected, zipOf } from './fixtures.js'

const sha384 = (bytes: Uint8Array) => createHash('sha384').update(bytes).digest('hex')
const readAll = async (body: ReadableStream<Uint8Array>) =>
  new Uint8Array(await new Response(body).arrayBuffer())

describe('archive uploads and downloads against the mock', () => {
  let env: Awaited<ReturnType<typeof startStore>>
  beforeAll(async () => {
    env = await startStore()
  })
  afterAll(() => env.close())

  it('uploadCharm POSTs the zip with its SHA-384 and the store allocates revisions', async () => {
    const zip = charmZip('mysql')
    const id = await env.client.uploadCharm('~bob/xenial/mysql', zip)
    expect(id.toString()).toBe('cs:~bob/xenial/mysql-0')
    const seen = env.mock.requests.at(-1)!
    expect(seen.method).toBe('POST')
    expect(new URL(seen.url).pathname).toBe('/v5/~bob/xenial/mysql/archive')
    expect(new URL(seen.url).searchParams.get('hash')).toBe(sha384(zip))
    expect(seen.headers.get('content-type')).toBe('application/zip')
    expect(seen.headers.get('content-length')).toBe(String(zip.byteLength))
    // The same bytes again: the store answers with the existing revision.
    expect((await env.client.uploadCharm('~bob/xenial/mysql', zip)).toString()).toBe(
      'cs:~bob/xenial/mysql-0',
    )
    const other = charmZip('mysql', { extra: { version: '2' } })
    expect(
      (await env.client.uploadCharm('~bob/xenial/mysql', new Blob([other as BlobPart]))).toString(),
    ).toBe('cs:~bob/xenial/mysql-1')
  })

  it('WithRevision PUTs at the revision, with a promulgated revision and channels', async () => {
    const id = await env.client.uploadCharmWithRevision(
      '~charmers/trusty/haproxy-12',
      charmZip('haproxy'),
      3,
      {
        channels: ['edge'],
      },
    )
    expect(id.toString()).toBe('cs:~charmers/trusty/haproxy-12')
    const seen = new URL(env.mock.requests.at(-1)!.url)
    expect(env.mock.requests.at(-1)!.method).toBe('PUT')
    expect(seen.searchParams.get('promulgated')).toBe('trusty/haproxy-3')
    expect(seen.searchParams.getAll('channel')).toEqual(['edge'])
    const { id: promulgated } = await env.client.meta('trusty/haproxy-3', { published: true })
    expect(promulgated.toString()).toBe('cs:trusty/haproxy-3')
    const dup = await env.client
      .uploadCharmWithRevision('~charmers/trusty/haproxy-12', charmZip('haproxy'))
      .then(unexpected, (e: any) => e)
    expect(dup.storeCode).toBe(ErrorCode.DuplicateUpload)
    expect(dup.status).toBe(500)
    const bundle = await env.client.uploadBundle('~bob/bundle/blog', bundleZip())
    expect(bundle.toString()).toBe('cs:~bob/bundle/blog-0')
  })

  it('a wrong hash is rejected by the store and nothing is stored', async () => {
    const zip = charmZip('redis')
    const error = await env.client
      .uploadArchive('~bob/trusty/redis', zip, { hash: sha384(new Uint8Array([1])) })
      .then(unexpected, (e: any) => e)
    expect(error.status).toBe(500)
    expect(error.message).toContain('hash mismatch')
    expect(env.mock.state.store.base('bob', 'redis')).toBeUndefined()
  })

  it('store-side content rules come back as typed errors', async () => {
    const noUser = await env.client
      .uploadCharm('trusty/redis', charmZip('redis'))
      .then(unexpected, (e: any) => e)
    expect(noUser.storeCode).toBe(ErrorCode.BadRequest)
    expect(noUser.message).toContain('user not specified')
    const wrongSeries = await env.client
      .uploadCharm('~bob/trusty/redis', charmZip('redis', { series: ['xenial'] }))
      .then(unexpected, (e: any) => e)
    expect(wrongSeries.storeCode).toBe(ErrorCode.EntityIdNotAllowed)
    const noSeries = await env.client
      .uploadCharm('~bob/redis', charmZip('redis'))
      .then(unexpected, (e: any) => e)
    expect(noSeries.storeCode).toBe(ErrorCode.EntityIdNotAllowed)
    const badYaml = await env.client
      .uploadCharm('~bob/trusty/redis', zipOf({ 'metadata.yaml': 'name: redis\n  broken: [\n' }))
      .then(unexpected, (e: any) => e)
    expect(badYaml.storeCode).toBe(ErrorCode.InvalidEntity)
  })

  it('client-side checks fail before any request', async () => {
    const before = env.mock.requests.length
    await expect(env.client.uploadCharm('~bob/trusty/x-1', charmZip('x'))).rejects.toThrow(
      /has a revision/,
    )
    await expect(
      env.client.uploadCharmWithRevision('~bob/trusty/x', charmZip('x')),
    ).rejects.toThrow(/has no revision/)
    await expect(env.client.uploadCharm('~bob/trusty/x', bundleZip())).rejects.toThrow(
      InvalidArchiveError,
    )
    await expect(env.client.uploadBundle('~bob/bundle/x', charmZip('x'))).rejects.toThrow(
      /"bundle.yaml", "README.md" missing|"bundle.yaml" missing/,
    )
    await expect(
      env.client.uploadCharm('~bob/trusty/x', new Uint8Array([1, 2, 3])),
    ).rejects.toThrow(/corrupt zip/)
    await expect(
      env.client.uploadArchive('~bob/trusty/x', charmZip('x'), { hash: 'abc' }),
    ).rejects.toThrow(/96 lowercase hex/)
    await expect(
      env.client.uploadArchive('~bob/trusty/x', charmZip('x'), { channels: ['edge'] }),
    ).rejects.toThrow(/need an id with a revision/)
    expect(env.mock.requests.length).toBe(before)
  })

  it('getArchive streams the bytes verified against Content-Sha384, with the entity id', async () => {
    const zip = charmZip('nginx')
    await env.client.uploadCharm('~bob/xenial/nginx', zip)
    const archive = await env.client.getArchive('~bob/xenial/nginx-0')
    expect(archive.id.toString()).toBe('cs:~bob/xenial/nginx-0')
    expect(archive.hash).toBe(sha384(zip))
    expect(archive.size).toBe(zip.byteLength)
    expect(await readAll(archive.body)).toEqual(zip)
    const entity = env.mock.state.store.base('bob', 'nginx')!.entities[0]!
    expect(entity.downloads).toBe(1)
    env.client.disableStats()
    await readAll((await env.client.getArchive('~bob/xenial/nginx-0')).body)
    expect(new URL(env.mock.requests.at(-1)!.url).searchParams.get('stats')).toBe('0')
    expect(entity.downloads).toBe(1)
  })

  it('getFileFromArchive serves one file, refuses escaping paths and directories', async () => {
    await env.client.uploadCharm('~bob/xenial/files', charmZip('files'))
    const file = await env.client.getFileFromArchive(
      '~bob/xenial/files-0',
      './hooks/../metadata.yaml',
    )
    expect(new URL(env.mock.requests.at(-1)!.url).pathname).toBe(
      '/v5/~bob/xenial/files-0/archive/metadata.yaml',
    )
    expect(await new Response(file.body).text()).toContain('name: files')
    expect(file.contentType).toBe('application/x-yaml')
    const before = env.mock.requests.length
    await expect(
      env.client.getFileFromArchive('~bob/xenial/files-0', '../../etc/passwd'),
    ).rejects.toThrow(InvalidArchiveError)
    await expect(
      env.client.getFileFromArchive('~bob/xenial/files-0', '/etc/passwd'),
    ).rejects.toThrow(InvalidArchiveError)
    expect(env.mock.requests.length).toBe(before)
    const dir = await env.client
      .getFileFromArchive('~bob/xenial/files-0', 'hooks')
      .then(unexpected, (e: any) => e)
    expect(dir.storeCode).toBe(ErrorCode.Forbidden)
    const missing = await env.client
      .getFileFromArchive('~bob/xenial/files-0', 'nope.txt')
      .then(unexpected, (e: any) => e)
    expect(missing.storeCode).toBe(ErrorCode.NotFound)
    await expect(
      env.client.getFileFromArchive('~bob/xenial/files-0', 'README.md', { limit: 3 }),
    ).rejects.toThrow(BodyTooLargeError)
  })
})

describe('download verification (msw)', () => {
  const origin = 'http://127.0.0.1:7498'
  const server = setupServer()
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
  afterEach(() => server.resetHandlers())
  afterAll(() => server.close())
  const client = createCharmStoreClient({ url: origin, http: { retry: 0 } })
  const good = new TextEncoder().encode('real archive bytes')

  const serve = (headers: Record<string, string>, body: Uint8Array = good) =>
    server.use(
      http.get(
        `${origin}/v5/~bob/x/archive`,
        () => new HttpResponse(body as BodyInit, { headers }),
      ),
    )

  it('fails the stream when the bytes do not match the announced hash', async () => {
    serve(
      {
        'entity-id': 'cs:~bob/x-1',
        'content-sha384': sha384(good),
        'content-length': String(good.byteLength),
      },
      new TextEncoder().encode('evil archive bytes'),
    )
    const archive = await client.getArchive('~bob/x')
    await expect(readAll(archive.body)).rejects.toMatchObject({ code: 'ERR_DIGEST_MISMATCH' })
  })

  it.each([
    [{ 'content-sha384': sha384(good), 'content-length': '18' }, /Entity-Id/],
    [
      { 'entity-id': 'cs:~bob/x', 'content-sha384': sha384(good), 'content-length': '18' },
      /has no revision/,
    ],
    [{ 'entity-id': 'cs:~bob/x-1', 'content-length': '18' }, /Content-Sha384/],
    [
      { 'entity-id': 'cs:~bob/x-1', 'content-sha384': 'ABC', 'content-length': '18' },
      /Content-Sha384/,
    ],
  ])('rejects a response with bad headers %#', async (headers, message) => {
    serve(headers)
    const error = await client.getArchive('~bob/x').then(unexpected, (e: any) => e)
    expect(error).toBeInstanceOf(CharmStoreProtocolError)
    expect(error.message).toMatch(message)
  })
})
