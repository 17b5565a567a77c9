import { existsSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { LibraryError, NotFoundError } from '../src/index.js'
import { bytesOf, rejection, startLibrary } from './helpers.js'

const KiB = 1024
const dir = await mkdtemp(join(tmpdir(), 'wharf-library-pull-'))
afterAll(() => rm(dir, { recursive: true, force: true }))
let files = 0
const target = () => join(dir, `image-${++files}.sif`)

/** A library holding one pushed image at a/b/c:latest (amd64). */
async function withImage(size: number, options: Parameters<typeof startLibrary>[0] = {}) {
  const lib = await startLibrary(options, { authToken: 'library-secret' })
  const bytes = bytesOf(size, size % 251)
  await lib.client.uploadImage(bytes, { path: 'a/b/c', arch: 'amd64' })
  lib.mock.requests.length = 0
  return { ...lib, bytes }
}

const ranges = (
  requests: Array<{ origin: string; method: string; headers: Record<string, string> }>,
) =>
  requests
    .filter((r) => r.origin === 'storage' && r.method === 'GET')
    .map((r) => r.headers.range ?? 'none')

function collector() {
  const chunks: Uint8Array[] = []
  return {
    writable: new WritableStream<Uint8Array>({ write: (c) => void chunks.push(c) }),
    bytes: () => new Uint8Array(Buffer.concat(chunks)),
  }
}

describe('downloadImage (single stream)', () => {
  it('follows the 303 to the storage origin without the token and verifies the bytes', async () => {
    const { client, mock, bytes } = await withImage(300 * KiB)
    const sink = collector()
    const events: string[] = []
    const image = await client.downloadImage('library://a/b/c:latest', {
      arch: 'amd64',
      writable: sink.writable,
      onProgress: (e) => events.push(e.type),
    })
    expect(image.size).toBe(bytes.byteLength)
    expect(Buffer.from(sink.bytes()).equals(Buffer.from(bytes))).toBe(true)
    const library = mock.requests.filter((r) => r.origin === 'library')
    expect(library.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /v1/images/a/b/c:latest?arch=amd64',
      'GET /v1/imagefile/a/b/c:latest?arch=amd64',
    ])
    expect(library.every((r) => r.headers.authorization === 'Bearer library-secret')).toBe(true)
    const storage = mock.requests.filter((r) => r.origin === 'storage')
    expect(storage).toHaveLength(1)
    expect(storage[0]!.headers.authorization).toBeUndefined()
    expect(storage[0]!.headers.range).toBeUndefined()
    expect(events[0]).toBe('start')
    expect(events.at(-1)).toBe('done')
  })

  it('writes a file atomically, and never leaves one when the hash does not match', async () => {
    const { client, mock, bytes } = await withImage(50 * KiB)
    const good = target()
    await client.downloadImage('a/b/c', { arch: 'amd64', destination: good })
    expect((await readFile(good)).equals(Buffer.from(bytes))).toBe(true)

    const image = [...mock.state.images.values()][0]!
    image.bytes = image.bytes!.slice()
    image.bytes[100]! ^= 1
    const bad = target()
    const error = await rejection(
      client.downloadImage('a/b/c', { arch: 'amd64', destination: bad }),
    )
    expect(error.code).toBe('ERR_DIGEST_MISMATCH')
    expect(existsSync(bad)).toBe(false)
    expect((await readdir(dir)).filter((f) => f.startsWith(bad.split('/').at(-1)!))).toEqual([])

    const sink = collector()
    const streamed = await rejection(
      client.downloadImage('a/b/c', { arch: 'amd64', writable: sink.writable }),
    )
    expect(streamed.code).toBe('ERR_DIGEST_MISMATCH')
  })

  it('reads the file from the library itself when it does not redirect', async () => {
    const { client, mock, bytes } = await withImage(20 * KiB, { downloads: 'stream' })
    const sink = collector()
    await client.downloadImage('a/b/c', { arch: 'amd64', writable: sink.writable })
    expect(Buffer.from(sink.bytes()).equals(Buffer.from(bytes))).toBe(true)
    expect(mock.requests.filter((r) => r.origin === 'storage')).toEqual([])
  })

  it('refuses an image record whose size is not a byte count, before downloading', async () => {
    const { client, mock } = await withImage(1 * KiB)
    const image = [...mock.state.images.values()][0]!
    for (const size of [-1, 1.5, '1024']) {
      image.size = size as number
      mock.requests.length = 0
      const error = await rejection(
        client.downloadImage('a/b/c', { arch: 'amd64', writable: collector().writable }),
      )
      expect(error.code).toBe('ERR_PROTOCOL')
      expect(error.message).toContain('invalid size')
      expect(mock.requests.filter((r) => r.origin === 'storage')).toEqual([])
    }
  })

  it('gives NotFoundError for a missing image and a typed error for bad options', async () => {
    const { client } = await withImage(1 * KiB)
    expect(
      await rejection(client.downloadImage('a/b/none', { writable: collector().writable })),
    ).toBeInstanceOf(NotFoundError)
    const both = await rejection(client.downloadImage('a/b/c', {} as never))
    expect(both).toBeInstanceOf(LibraryError)
    expect(both.code).toBe('ERR_INVALID_ARGUMENT')
  })
})

describe('concurrentDownloadImage', () => {
  it('downloads in ranged parts from the storage origin and verifies the file', async () => {
    const { client, mock, bytes } = await withImage(100 * KiB + 7)
    const file = target()
    const image = await client.concurrentDownloadImage('a/b/c', file, {
      arch: 'amd64',
      concurrency: 3,
      partSize: 16 * KiB,
    })
    expect(image.hash).toMatch(/^sha256\./)
    expect((await readFile(file)).equals(Buffer.from(bytes))).toBe(true)
    const seen = ranges(mock.requests)
    expect(seen).toHaveLength(7)
    expect(seen.sort()).toEqual(
      [0, 1, 2, 3, 4, 5, 6]
        .map((i) => `bytes=${i * 16 * KiB}-${Math.min((i + 1) * 16 * KiB, bytes.byteLength) - 1}`)
        .sort(),
    )
    expect(
      mock.requests.filter((r) => r.origin === 'storage').every((r) => !r.headers.authorization),
    ).toBe(true)
  })

  it('resumes a part whose download was cut', async () => {
    const { client, mock, bytes } = await withImage(64 * KiB)
    mock.faults.cutDownload = { bytes: 5000, count: 1 }
    const file = target()
    await client.concurrentDownloadImage('a/b/c', file, {
      arch: 'amd64',
      concurrency: 2,
      partSize: 16 * KiB,
    })
    expect((await readFile(file)).equals(Buffer.from(bytes))).toBe(true)
    const seen = ranges(mock.requests)
    expect(seen).toHaveLength(5)
    // One part was asked for twice: first whole, then from where its bytes stopped (5000 bytes
    // in, unless the kernel dropped the bytes in flight with the connection).
    const ends = seen.map((r) => Number(r.split('-')[1]))
    const end = ends.find((e, i) => ends.indexOf(e) !== i)!
    const starts = seen
      .filter((r) => r.endsWith(`-${end}`))
      .map((r) => Number(r.slice(6, r.indexOf('-'))))
    const partStart = end + 1 - 16 * KiB
    expect(partStart % (16 * KiB)).toBe(0)
    expect(starts).toContain(partStart)
    expect(Math.max(...starts) - partStart).toBeLessThanOrEqual(5000)
  })

  it('takes one plain request for an image smaller than a part (default 5 MiB)', async () => {
    const { client, mock, bytes } = await withImage(10 * KiB)
    const file = target()
    await client.concurrentDownloadImage('a/b/c', file, { arch: 'amd64' })
    expect((await readFile(file)).equals(Buffer.from(bytes))).toBe(true)
    expect(ranges(mock.requests)).toEqual(['none'])
  })

  it('downloads the whole file in one stream when the store ignores Range', async () => {
    const { client, mock, bytes } = await withImage(40 * KiB)
    mock.faults.ignoreRange = true
    const file = target()
    await client.concurrentDownloadImage('a/b/c', file, { arch: 'amd64', partSize: 16 * KiB })
    expect((await readFile(file)).equals(Buffer.from(bytes))).toBe(true)
    expect(ranges(mock.requests)).toEqual([`bytes=0-${16 * KiB - 1}`])
  })

  it('uses ranges on the library origin itself when it serves the file', async () => {
    const { client, mock, bytes } = await withImage(40 * KiB, { downloads: 'stream' })
    const file = target()
    await client.concurrentDownloadImage('a/b/c', file, { arch: 'amd64', partSize: 16 * KiB })
    expect((await readFile(file)).equals(Buffer.from(bytes))).toBe(true)
    const files = mock.requests.filter((r) => r.path.startsWith('/v1/imagefile/'))
    expect(files.map((r) => r.headers.range).sort()).toEqual([
      `bytes=0-${16 * KiB - 1}`,
      `bytes=${16 * KiB}-${32 * KiB - 1}`,
      `bytes=${32 * KiB}-${40 * KiB - 1}`,
    ])
    expect(files.every((r) => r.headers.authorization === 'Bearer library-secret')).toBe(true)
  })

  it('round-trips an empty image, and treats concurrency 0 as 1', async () => {
    const { client, mock } = await startLibrary()
    await client.uploadImage(new Uint8Array(0), { path: 'a/b/empty', arch: 'amd64' })
    expect([...mock.state.images.values()][0]).toMatchObject({ uploaded: true, size: 0 })
    const file = target()
    await client.concurrentDownloadImage('a/b/empty', file, { arch: 'amd64', concurrency: 0 })
    expect((await readFile(file)).byteLength).toBe(0)
  })

  it('refuses a bad destination and a bad part size with typed errors', async () => {
    const { client } = await withImage(1 * KiB)
    expect((await rejection(client.concurrentDownloadImage('a/b/c', ''))).code).toBe(
      'ERR_INVALID_ARGUMENT',
    )
    expect(
      (await rejection(client.concurrentDownloadImage('a/b/c', target(), { partSize: -1 }))).code,
    ).toBe('ERR_INVALID_OPTIONS')
  })
})
