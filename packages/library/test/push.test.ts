import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { LibraryError, QuotaExceededError, UnauthorizedError } from '../src/index.js'
import { bytesOf, libraryHash, rejection, startLibrary } from './helpers.js'

const KiB = 1024
const lines = (requests: Array<{ method: string; path: string }>) =>
  requests.map((r) => `${r.method} ${r.path.replace(/\?.*$/, '')}`)

describe('uploadImage records and tags', () => {
  it('creates entity, collection, container and image, then sets arch tags (API 2.0.0-alpha.2)', async () => {
    const { client, mock, libraryRequests } = await startLibrary({}, { authToken: 'tok' })
    const bytes = bytesOf(10 * KiB)
    const result = await client.uploadImage(bytes, {
      path: 'library://alice/tools/alpine',
      arch: 'arm64',
      tags: ['latest', '3.9'],
      description: 'small',
    })
    expect(result).toEqual({
      quota: { quotaTotal: 2 ** 40, quotaUsage: bytes.byteLength },
      containerUrl: 'entities/alice/collections/tools/containers/alpine',
    })
    const hash = libraryHash(bytes)
    const paths = lines(libraryRequests())
    expect(paths.slice(0, 8)).toEqual([
      'GET /v1/entities/alice',
      'POST /v1/entities',
      'GET /v1/collections/alice/tools',
      'POST /v1/collections',
      'GET /v1/containers/alice/tools/alpine',
      'POST /v1/containers',
      `GET /v1/images/alice/tools/alpine:${hash}`,
      'POST /v1/images',
    ])
    const container = mock.state.container('alice', 'tools', 'alpine')!
    const image = [...mock.state.images.values()][0]!
    expect(image).toMatchObject({ hash, description: 'small', arch: 'arm64', uploaded: true })
    expect(container.archTags).toEqual({ arm64: { latest: image.id, '3.9': image.id } })
    expect(paths.slice(-4)).toEqual([
      'GET /version',
      `GET /v2/tags/${container.id}`,
      `POST /v2/tags/${container.id}`,
      `POST /v2/tags/${container.id}`,
    ])
  })

  it('skips the upload of a file the library already has, and still tags', async () => {
    const { client, storageRequests, mock } = await startLibrary()
    const bytes = bytesOf(4 * KiB, 3)
    await client.uploadImage(bytes, { path: 'a/b/c', tags: ['one'] })
    const puts = storageRequests().length
    expect(await client.uploadImage(bytes, { path: 'a/b/c', tags: ['two'] })).toBeNull()
    expect(storageRequests()).toHaveLength(puts)
    expect(Object.keys(mock.state.container('a', 'b', 'c')!.imageTags).sort()).toEqual([
      'one',
      'two',
    ])
  })

  it('uses v1 tags when the API version is below 2.0.0-alpha.2', async () => {
    const { client, mock, libraryRequests } = await startLibrary({ apiVersion: '2.0.0-alpha.1' })
    await client.uploadImage(bytesOf(100), { path: 'a/b/c', tags: ['t'] })
    const container = mock.state.container('a', 'b', 'c')!
    expect(lines(libraryRequests()).slice(-2)).toEqual([
      `GET /v1/tags/${container.id}`,
      `POST /v1/tags/${container.id}`,
    ])
    expect(container.archTags).toEqual({})
    expect(Object.keys(container.imageTags)).toEqual(['t'])
  })

  it('refuses bad paths, tags and sources with typed errors before any request', async () => {
    const { client, libraryRequests } = await startLibrary()
    const cases: Array<[() => Promise<unknown>, string]> = [
      [() => client.uploadImage(bytesOf(1), { path: 'a/b' }), 'ERR_INVALID_REF'],
      [() => client.uploadImage(bytesOf(1), { path: 'a/b/c:tag' }), 'ERR_INVALID_REF'],
      [() => client.uploadImage(bytesOf(1), { path: 'A/b/c' }), 'ERR_INVALID_REF'],
      [
        () => client.uploadImage(bytesOf(1), { path: 'a/b/c', tags: ['a,b'] }),
        'ERR_INVALID_ARGUMENT',
      ],
      [() => client.uploadImage({} as never, { path: 'a/b/c' }), 'ERR_INVALID_ARGUMENT'],
      [() => client.uploadImage(bytesOf(1), undefined as never), 'ERR_INVALID_ARGUMENT'],
    ]
    for (const [call, code] of cases) {
      const error = await rejection(call())
      expect(error).toBeInstanceOf(LibraryError)
      expect(error.code).toBe(code)
    }
    expect(libraryRequests()).toEqual([])
  })

  it('fails with UnauthorizedError without a valid token and QuotaExceededError when full', async () => {
    const denied = await startLibrary({ tokens: ['good'] }, { authToken: 'bad' })
    expect(
      await rejection(denied.client.uploadImage(bytesOf(10), { path: 'a/b/c' })),
    ).toBeInstanceOf(UnauthorizedError)
    const full = await startLibrary({ quota: 1000 })
    const error = await rejection(full.client.uploadImage(bytesOf(2000), { path: 'a/b/c' }))
    expect(error).toBeInstanceOf(QuotaExceededError)
    expect(error.status).toBe(507)
    expect(full.mock.state.images.size).toBe(1)
    expect([...full.mock.state.images.values()][0]!.uploaded).toBe(false)

    // Hinkskalle answers 413 instead of 507.
    const hinkskalle = await startLibrary()
    hinkskalle.mock.faults.failNext = { status: 413, count: 1, paths: /^\/v2\/imagefile\/[^/]+$/ }
    const refused = await rejection(hinkskalle.client.uploadImage(bytesOf(10), { path: 'a/b/c' }))
    expect(refused).toBeInstanceOf(QuotaExceededError)
    expect(refused.status).toBe(413)
  })
})

describe('uploadImage file transfer', () => {
  it('uploads with v1 when the API version is old or unusable', async () => {
    for (const apiVersion of ['1.0.0', 'v2.0.0', null]) {
      const { client, mock, libraryRequests, storageRequests } = await startLibrary({ apiVersion })
      const bytes = bytesOf(3000, 4)
      const progress: number[] = []
      expect(
        await client.uploadImage(bytes, {
          path: 'a/b/c',
          onProgress: (e) => e.type === 'done' && progress.push(e.transferred),
        }),
      ).toBeNull()
      const image = [...mock.state.images.values()][0]!
      expect(lines(libraryRequests())).toContain(`POST /v1/imagefile/${image.id}`)
      expect(storageRequests()).toEqual([])
      expect(Buffer.from(image.bytes!).equals(Buffer.from(bytes))).toBe(true)
      expect(progress).toEqual([3000])
    }
  })

  it('uploads a small file with one presigned PUT that never carries our Authorization', async () => {
    const { client, mock, storageRequests, libraryRequests } = await startLibrary(
      {},
      { authToken: 'library-secret' },
    )
    const bytes = bytesOf(200 * KiB, 5)
    const result = await client.uploadImage(bytes, { path: 'a/b/c' })
    expect(result?.quota.quotaUsage).toBe(bytes.byteLength)
    const image = [...mock.state.images.values()][0]!
    expect(lines(libraryRequests())).toEqual(
      expect.arrayContaining([
        `POST /v2/imagefile/${image.id}`,
        `PUT /v2/imagefile/${image.id}/_complete`,
      ]),
    )
    const [put] = storageRequests()
    expect(storageRequests()).toHaveLength(1)
    expect(put!.headers.authorization).toBeUndefined()
    expect(put!.headers['user-agent']).toMatch(/^wharf-library\/\d/)
    expect(put!.headers['x-amz-content-sha256']).toBe(
      createHash('sha256').update(bytes).digest('hex'),
    )
    expect(put!.headers['content-length']).toBe(String(bytes.byteLength))
    expect(
      libraryRequests().every((r) => r.headers.authorization === 'Bearer library-secret'),
    ).toBe(true)
    expect(JSON.stringify(mock.requests.filter((r) => r.origin === 'storage'))).not.toContain(
      'library-secret',
    )
  })

  it('omits x-amz-content-sha256 when the presigned URL does not sign it', async () => {
    const { client, storageRequests } = await startLibrary({ signedHeaders: false })
    await client.uploadImage(bytesOf(100), { path: 'a/b/c' })
    expect(storageRequests()[0]!.headers['x-amz-content-sha256']).toBeUndefined()
  })

  it('uploads a large file in multipart: per-part checksums, ETags, completion and quota', async () => {
    const { client, mock, storageRequests, libraryRequests } = await startLibrary(
      { partSize: 64 * KiB },
      { authToken: 'library-secret' },
    )
    const bytes = bytesOf(64 * KiB * 3 + 1234, 6)
    const events: string[] = []
    const result = await client.uploadImage(bytes, {
      path: 'a/b/c',
      multipartThreshold: 100 * KiB,
      concurrency: 2,
      onProgress: (e) => events.push(e.type),
    })
    expect(result).toMatchObject({ quota: { quotaUsage: bytes.byteLength } })
    const image = [...mock.state.images.values()][0]!
    expect(image.uploaded).toBe(true)
    expect(Buffer.from(image.bytes!).equals(Buffer.from(bytes))).toBe(true)
    const parts = storageRequests()
    const partPaths = parts.map((r) => r.path.replace(/\?.*$/, '').split('/'))
    expect(partPaths.map((p) => p.at(-1)).sort()).toEqual(['1', '2', '3', '4'])
    expect(new Set(partPaths.map((p) => p[2])).size).toBe(1)
    for (const r of parts) {
      const n = Number(r.path.replace(/\?.*$/, '').split('/').at(-1))
      const start = (n - 1) * 64 * KiB
      const part = bytes.subarray(start, Math.min(start + 64 * KiB, bytes.byteLength))
      expect(r.headers['x-amz-content-sha256']).toBe(
        createHash('sha256').update(part).digest('hex'),
      )
      expect(r.headers.authorization).toBeUndefined()
    }
    expect(lines(libraryRequests()).filter((l) => l.includes('_multipart'))).toEqual([
      `POST /v2/imagefile/${image.id}/_multipart`,
      ...Array(4).fill(`PUT /v2/imagefile/${image.id}/_multipart`),
      `PUT /v2/imagefile/${image.id}/_multipart_complete`,
    ])
    expect(events[0]).toBe('start')
    expect(events.filter((e) => e === 'part')).toHaveLength(4)
    expect(events.at(-1)).toBe('done')
  })

  it('uses the default 64 MiB threshold: a file of 64 MiB + 1 goes up in parts', async () => {
    const { client, mock, storageRequests } = await startLibrary({ partSize: 32 * 1024 * KiB })
    const bytes = new Uint8Array(64 * 1024 * KiB + 1).fill(7)
    await client.uploadImage(bytes, { path: 'a/b/c' })
    expect(storageRequests().filter((r) => r.path.startsWith('/part/'))).toHaveLength(3)
    expect([...mock.state.images.values()][0]!.size).toBe(bytes.byteLength)
  })

  it('sends empty sha256sum and no checksum header when the store is not s3compliant', async () => {
    const { client, mock, storageRequests } = await startLibrary({
      partSize: 64 * KiB,
      s3compliant: 'false',
    })
    const bytes = bytesOf(150 * KiB, 7)
    await client.uploadImage(bytes, { path: 'a/b/c', multipartThreshold: 64 * KiB })
    expect(storageRequests()).toHaveLength(3)
    expect(storageRequests().every((r) => r.headers['x-amz-content-sha256'] === undefined)).toBe(
      true,
    )
    expect([...mock.state.images.values()][0]!.uploaded).toBe(true)
  })

  it('treats a missing s3compliant option as true', async () => {
    const { client, storageRequests } = await startLibrary({
      partSize: 64 * KiB,
      s3compliant: null,
    })
    await client.uploadImage(bytesOf(100 * KiB), { path: 'a/b/c', multipartThreshold: 64 * KiB })
    expect(
      storageRequests().every((r) => /^[a-f0-9]{64}$/.test(r.headers['x-amz-content-sha256']!)),
    ).toBe(true)
  })

  it('falls back to the single presigned PUT when the server has no multipart endpoint', async () => {
    const { client, mock, storageRequests } = await startLibrary({ multipart: false })
    await client.uploadImage(bytesOf(100 * KiB), { path: 'a/b/c', multipartThreshold: KiB })
    expect(storageRequests().map((r) => r.path.split('/')[1])).toEqual(['upload'])
    expect([...mock.state.images.values()][0]!.uploaded).toBe(true)
  })

  it('retries a part whose checksum the object store rejected', async () => {
    const { client, mock, storageRequests } = await startLibrary({ partSize: 64 * KiB })
    mock.faults.corruptPart = { partNumber: 2, count: 1 }
    const bytes = bytesOf(200 * KiB, 8)
    await client.uploadImage(bytes, { path: 'a/b/c', multipartThreshold: 64 * KiB })
    const part2 = storageRequests().filter((r) => /\/part\/[^/]+\/2\?/.test(r.path))
    expect(part2).toHaveLength(2)
    const image = [...mock.state.images.values()][0]!
    expect(Buffer.from(image.bytes!).equals(Buffer.from(bytes))).toBe(true)
    expect(mock.state.aborted).toEqual([])
  })

  it('aborts the multipart upload when a part fails for good', async () => {
    const { client, mock, libraryRequests, storageRequests } = await startLibrary({
      partSize: 64 * KiB,
    })
    mock.faults.failPart = { partNumber: 2, status: 500, count: 100 }
    const error = await rejection(
      client.uploadImage(bytesOf(200 * KiB), { path: 'a/b/c', multipartThreshold: 64 * KiB }),
    )
    expect(error.status).toBe(500)
    expect(error.message).toContain('X-Amz-Signature=[REDACTED]')
    expect(error.message).not.toMatch(/X-Amz-Signature=[0-9a-f]{32}/)
    const image = [...mock.state.images.values()][0]!
    expect(lines(libraryRequests())).toContain(`PUT /v2/imagefile/${image.id}/_multipart_abort`)
    expect(mock.state.aborted).toHaveLength(1)
    expect(mock.state.uploads.size).toBe(0)
    expect(image.uploaded).toBe(false)
    expect(storageRequests().filter((r) => /\/part\/[^/]+\/2\?/.test(r.path))).toHaveLength(3)
    expect(lines(libraryRequests())).not.toContain(
      `PUT /v2/imagefile/${image.id}/_multipart_complete`,
    )
  })

  it('aborts without retrying when the object store refuses a part for good (403)', async () => {
    const { client, mock, storageRequests } = await startLibrary({ partSize: 64 * KiB })
    mock.faults.failPart = { partNumber: 1, status: 403, count: 100 }
    const error = await rejection(
      client.uploadImage(bytesOf(100 * KiB), { path: 'a/b/c', multipartThreshold: 64 * KiB }),
    )
    expect(error.status).toBe(403)
    expect(storageRequests().filter((r) => /\/part\/[^/]+\/1\?/.test(r.path))).toHaveLength(1)
    expect(mock.state.aborted).toHaveLength(1)
  })

  it('uploads from a Blob the same as from bytes', async () => {
    const { client, mock } = await startLibrary({ partSize: 64 * KiB })
    const bytes = bytesOf(130 * KiB, 10)
    await client.uploadImage(new Blob([bytes as Uint8Array<ArrayBuffer>]), {
      path: 'a/b/c',
      multipartThreshold: 64 * KiB,
    })
    const image = [...mock.state.images.values()][0]!
    expect(image.hash).toBe(libraryHash(bytes))
    expect(Buffer.from(image.bytes!).equals(Buffer.from(bytes))).toBe(true)
  })

  it('stops and aborts the multipart upload when the signal fires', async () => {
    const { client, mock, libraryRequests } = await startLibrary({ partSize: 64 * KiB })
    const controller = new AbortController()
    const error = await rejection(
      client.uploadImage(bytesOf(300 * KiB), {
        path: 'a/b/c',
        multipartThreshold: 64 * KiB,
        signal: controller.signal,
        onProgress: (e) => {
          if (e.type === 'part') controller.abort()
        },
      }),
    )
    expect(error.code).toBe('ERR_ABORTED')
    expect(mock.state.aborted).toHaveLength(1)
    expect(lines(libraryRequests()).some((l) => l.endsWith('_multipart_complete'))).toBe(false)
    expect([...mock.state.images.values()][0]!.uploaded).toBe(false)
  })

  it('refuses (and aborts) a multipart upload whose server-chosen part size is too large', async () => {
    const { client, mock, storageRequests } = await startLibrary({ partSize: 256 * KiB })
    const error = await rejection(
      client.uploadImage(bytesOf(300 * KiB), {
        path: 'a/b/c',
        multipartThreshold: 64 * KiB,
        maxPartSize: 128 * KiB,
      }),
    )
    expect(error).toBeInstanceOf(LibraryError)
    expect(error.code).toBe('ERR_PROTOCOL')
    expect(error.message).toContain('part size 262144 (at most 131072)')
    expect(mock.state.aborted).toHaveLength(1)
    expect(storageRequests()).toEqual([])
  })

  it('keeps the token and presigned signatures out of debug lines', async () => {
    const debug: string[] = []
    const { client, mock } = await startLibrary(
      { partSize: 64 * KiB },
      { authToken: 'library-secret', debug: (line) => debug.push(line) },
    )
    await client.uploadImage(bytesOf(100 * KiB), { path: 'a/b/c', multipartThreshold: 64 * KiB })
    expect(debug.some((l) => l.includes('/part/'))).toBe(true)
    const signatures = mock.requests
      .filter((r) => r.origin === 'storage')
      .map((r) => new URL(r.path, 'http://x').searchParams.get('X-Amz-Signature')!)
    expect(signatures.length).toBeGreaterThan(0)
    for (const line of debug) {
      expect(line).not.toContain('library-secret')
      for (const signature of signatures) expect(line).not.toContain(signature)
    }
  })

  it('stops hashing a source that never ends when the signal fires, sending nothing', async () => {
    const { client, libraryRequests } = await startLibrary()
    const endless = {
      size: 10 * KiB,
      open: () => new ReadableStream<Uint8Array>({ pull: () => new Promise(() => {}) }),
    }
    const error = await rejection(
      client.uploadImage(endless, { path: 'a/b/c', signal: AbortSignal.timeout(50) }),
    )
    expect(error.code).toBe('ERR_ABORTED')
    expect(libraryRequests()).toEqual([])
  })

  it('refuses a source that yields fewer bytes than its size', async () => {
    const { client, libraryRequests } = await startLibrary()
    const short = { size: 100, open: () => new Blob([new Uint8Array(60)]).stream() }
    expect((await rejection(client.uploadImage(short, { path: 'a/b/c' }))).code).toBe(
      'ERR_SIZE_MISMATCH',
    )
    expect(libraryRequests()).toEqual([])
  })
})
