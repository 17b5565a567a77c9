import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { WharfError } from '@wharf/core-http'
import { type HostileAnswers, hostileResponder, hostileRounds } from '@wharf/tooling/fuzz'
import { http } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLibraryClient } from '../src/index.js'

const msw = setupServer()
const dir = await mkdtemp(join(tmpdir(), 'wharf-library-hostile-'))
beforeAll(() => msw.listen({ onUnhandledRequest: 'error' }))
afterAll(async () => {
  msw.close()
  await rm(dir, { recursive: true, force: true })
})

const file = new TextEncoder().encode('image bytes')
const hash = `sha256.${createHash('sha256').update(file).digest('hex')}`
const record = { deleted: false, createdBy: 'alice', createdAt: '2024-01-01T00:00:00Z' }
const image = {
  ...record,
  id: 'img1',
  hash,
  description: '',
  container: 'ctr1',
  size: file.byteLength,
  uploaded: false,
}
const container = {
  ...record,
  id: 'ctr1',
  name: 'alpine',
  collection: 'col1',
  images: ['img1'],
  imageTags: { latest: 'img1' },
  archTags: { amd64: { latest: 'img1' } },
}
const data = (value: unknown) => JSON.stringify({ data: value })
const failure = JSON.stringify({ error: { code: 404, message: 'Not found' } })
/** An S3 presigned URL as object stores hand them out (on evil.mock too). */
const presign = (query = '') =>
  `http://evil.mock/s3/library/img1?${query}X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20240101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20240101T000000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host%3Bx-amz-content-sha256&X-Amz-Signature=${'5f'.repeat(32)}`
const uploadUrls = [
  data({ uploadURL: presign() }),
  data({ uploadURL: 'http://evil.mock/s3/img1?X-Amz-SignedHeaders=host' }),
]
const multipart = data({
  uploadID: 'up1',
  totalParts: 3,
  partSize: 4,
  options: { s3compliant: '' },
})
const parts = [
  data({ presignedURL: presign('partNumber=1&uploadId=up1&') }),
  data({ presignedURL: 'http://evil.mock/s3/img1?partNumber=2' }),
]
const complete = data({ quota: { quotaTotal: 100, quotaUsage: 11 }, containerUrl: 'a/b/c' })
let files = 0

/** Drains a download into nothing. */
const sink = () => new WritableStream<Uint8Array>()

describe('a hostile library and object store', () => {
  it('gets typed errors only: random statuses, headers and bodies on every request', async () => {
    const answers: HostileAnswers = {
      seeds: [
        data(image),
        data({ ...image, uploaded: true }),
        data(container),
        data({ ...record, id: 'ent1', name: 'alice', collections: ['col1'], size: 0 }),
        data({ ...record, id: 'col1', name: 'tools', entity: 'ent1', containers: ['ctr1'] }),
        data({ version: 'v1.0.0', apiVersion: '2.0.0-alpha.2' }),
        data({ version: 'v1.0.0', apiVersion: '1.0.0' }),
        ...uploadUrls,
        multipart,
        ...parts,
        complete,
        data({ entity: [], collection: [], container: [container], image: [image] }),
        data({ latest: 'img1' }),
        failure,
        '<Error><Code>XAmzContentSHA256Mismatch</Code><Message>bad</Message></Error>',
        presign(),
        'bytes 0-10/11',
        '"etag-1"',
        'image bytes',
      ],
      headers: ['location', 'etag', 'content-range'],
      // Mostly successes, so that pushes and pulls get past their first calls.
      statuses: [
        200, 200, 200, 200, 200, 201, 204, 206, 303, 307, 400, 401, 403, 404, 413, 416, 500, 507,
      ],
      contentTypes: [
        'application/json',
        'application/octet-stream',
        'application/xml',
        'text/html',
      ],
    }
    const hostile = (seed: number, seeds = answers.seeds) =>
      hostileResponder({ ...answers, seeds }, seed)
    // A RegExp, not a path pattern: msw would try to decode the hostile paths as parameters.
    // Presigned URLs and redirects in the seeds point back at evil.mock; the mutated ones that
    // name any other origin get a second hostile server there.
    msw.use(
      http.all(/^http:\/\/evil\.mock\//, hostile(3001)),
      http.all(/^https?:\/\//, hostile(3002)),
    )
    // Under /deep/ and /v2/ the record lookups are answered correctly (and under /v2/ the
    // version too), and the v2 upload calls get hostile answers derived from their own bodies,
    // so that hostile answers also reach what comes after them: version gates, v1, v2 and
    // multipart uploads, the object store, tags and downloads.
    const honest = (value: unknown) => () => Response.json({ data: value })
    const under = (path: string) => new RegExp(`^http://evil\\.mock/(deep|v2)/${path}`)
    const v2Upload = /^http:\/\/evil\.mock\/v2\/v2\/imagefile\//
    const multipartPath = /^http:\/\/evil\.mock\/v2\/v2\/imagefile\/[^/]+\/_multipart$/
    const honestStart = honest({ uploadID: 'up1', totalParts: 3, partSize: 4 })
    const hostileStart = hostile(3003, [multipart, failure])
    let starts = 0
    msw.use(
      http.get(under('v1/(entities|collections|containers)/'), honest({ ...record, id: 'rec1' })),
      http.get(under('v1/images/[^?]*:sha256\\.'), honest(image)),
      http.get(under('v1/images/'), honest({ ...image, uploaded: true })),
      http.get(/^http:\/\/evil\.mock\/v2\/version/, honest({ apiVersion: '2.0.0-alpha.2' })),
      http.post(multipartPath, () =>
        // Every other start is answered correctly, so that hostile answers reach the parts.
        ++starts % 2 ? honestStart() : hostileStart(),
      ),
      http.post(v2Upload, hostile(3056, uploadUrls)),
      http.put(multipartPath, hostile(3005, [...parts, failure])),
      http.put(v2Upload, hostile(3006, [complete, failure])),
    )
    const options = { authToken: 'token', allowInsecure: true, retry: { limit: 1, delay: 1 } }
    const client = createLibraryClient({ baseURL: 'http://evil.mock', ...options })
    const deep = createLibraryClient({ baseURL: 'http://evil.mock/deep/', ...options })
    const v2 = createLibraryClient({ baseURL: 'http://evil.mock/v2/', ...options })
    const operations: Array<[string, () => Promise<unknown>]> = [
      ['getVersion', () => client.getVersion()],
      ['search', () => client.search({ value: 'alpine' })],
      ['search images', () => client.search({ value: 'alpine', arch: 'amd64', signed: true })],
      ['getImage', () => client.getImage('alice/tools/alpine:latest', { arch: 'amd64' })],
      ['getImage by hash', () => client.getImage(`library://alice/tools/alpine:${hash}`)],
      ['deleteImage', () => client.deleteImage('alice/tools/alpine:latest', { arch: 'amd64' })],
      ['uploadImage', () => client.uploadImage(file, { path: 'alice/tools/alpine' })],
      [
        'downloadImage',
        () => client.downloadImage('alice/tools/alpine:latest', { writable: sink() }),
      ],
      [
        'deep uploadImage',
        () => deep.uploadImage(file, { path: 'alice/tools/alpine', tags: ['latest', 'v1'] }),
      ],
      ['v2 uploadImage', () => v2.uploadImage(file, { path: 'alice/tools/alpine', arch: 'arm64' })],
      [
        'v2 uploadImage a Blob',
        () => v2.uploadImage(new Blob([file]), { path: 'alice/tools/alpine', tags: ['v1'] }),
      ],
      [
        'v2 uploadImage multipart',
        () =>
          v2.uploadImage(new Blob([file]), {
            path: 'library://alice/tools/alpine',
            multipartThreshold: 4,
            concurrency: 2,
          }),
      ],
      [
        'deep downloadImage',
        () => deep.downloadImage('alice/tools/alpine', { arch: 'amd64', writable: sink() }),
      ],
      [
        'deep downloadImage to a file',
        () =>
          deep.downloadImage('alice/tools/alpine:latest', {
            destination: join(dir, `single-${++files}.sif`),
          }),
      ],
      [
        'deep concurrentDownloadImage',
        () =>
          deep.concurrentDownloadImage('alice/tools/alpine', join(dir, `${++files}.sif`), {
            partSize: 4,
            concurrency: 2,
          }),
      ],
    ]
    const typed = (e: unknown): e is WharfError => e instanceof WharfError
    const { untyped, outcomes } = await hostileRounds(operations, typed, 400, 3007)
    await Promise.all([client.close(), deep.close(), v2.close()])
    expect(untyped).toEqual([])
    // The answers reached many different paths of the client.
    expect(outcomes.size).toBeGreaterThanOrEqual(7)
  }, 60_000)
})
