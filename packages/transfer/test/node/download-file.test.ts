import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isWharfError } from '@wharf/core-http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  DigestMismatchError,
  digestOf,
  type ProgressEvent,
  RangeResponseError,
  SizeMismatchError,
} from '../../src/index.js'
import { downloadToFile } from '../../src/node/index.js'
import { clientFetchRange } from '../support/fetch-range.js'
import { type ObjectFaults, objectServer } from '../support/object-server.js'

const object = new Uint8Array(1_000_000).map((_, i) => (i * 13 + (i >> 11)) % 256)
const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`
const KiB = 1024

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wharf-transfer-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

let seq = 0
async function run(faults: ObjectFaults, options: Record<string, unknown> = {}, body = object) {
  const server = await objectServer(body, faults)
  const destination = join(dir, `out-${++seq}.bin`)
  const events: ProgressEvent[] = []
  try {
    const result = await downloadToFile({
      fetchRange: clientFetchRange(server.blobUrl),
      destination,
      partSize: 128 * KiB,
      expected: sha(object),
      retryDelay: 1,
      onProgress: (e) => events.push(e),
      ...options,
    })
    return { result, server, destination, events, error: undefined }
  } catch (error) {
    return { result: undefined, server, destination, events, error: error as any }
  } finally {
    await server.close()
  }
}

async function leftovers(destination: string) {
  const base = destination.split('/').at(-1)!
  return (await readdir(dir)).filter((f) => f.startsWith(base))
}

describe('downloadToFile over node:http', () => {
  it('fetches parts concurrently with Range requests and verifies before renaming', async () => {
    const { result, server, destination, events } = await run({}, { concurrency: 3 })
    expect(result!.digest.toString()).toBe(sha(object))
    expect(result!.size).toBe(object.length)
    expect(sha(await readFile(destination))).toBe(sha(object))
    const ranges = server.ranges()
    expect(ranges).toHaveLength(8)
    expect(ranges).toContain(`bytes=0-${128 * KiB - 1}`)
    expect(ranges).toContain(`bytes=${7 * 128 * KiB}-${object.length - 1}`)
    expect(await leftovers(destination)).toEqual([`out-${seq}.bin`])
    expect(events[0]).toEqual({ type: 'start', total: object.length })
    expect(events.filter((e) => e.type === 'part')).toHaveLength(8)
    expect(events.at(-1)).toEqual({ type: 'done', transferred: object.length })
  })

  it('resumes a cut part with a new Range from where it stopped', async () => {
    // Request 3 is a part; the socket dies after 40 000 bytes of it.
    const { result, server, destination, events } = await run(
      { cut: { 3: 40_000 } },
      { concurrency: 1 },
    )
    expect(result!.digest.toString()).toBe(sha(object))
    expect(events.filter((e) => e.type === 'error' && e.retrying)).toHaveLength(1)
    expect(sha(await readFile(destination))).toBe(sha(object))
    const third = server.ranges()[2]!
    const start = Number(/bytes=(\d+)-/.exec(third)![1])
    expect(server.ranges()[3]).toBe(`bytes=${start + 40_000}-${start + 128 * KiB - 1}`)
    expect(server.ranges()).toHaveLength(9)
  })

  it('resumes a single-stream download with a Range after a cut', async () => {
    const { result, server } = await run(
      { cut: { 1: 300_000 } },
      { partSize: 4 * 1024 * KiB, size: object.length },
    )
    expect(result!.digest.toString()).toBe(sha(object))
    expect(server.ranges()).toEqual(['none', `bytes=300000-${object.length - 1}`])
  })

  it('falls back to one stream when the server ignores Range', async () => {
    const { result, server, destination } = await run({ ignoreRange: true })
    expect(sha(await readFile(destination))).toBe(sha(object))
    expect(result!.size).toBe(object.length)
    expect(server.requests).toHaveLength(1)
  })

  it('restarts and skips what it has when a Range-ignoring server cuts the stream', async () => {
    const { result, server } = await run({ ignoreRange: true, cut: { 1: 200_000 } })
    expect(result!.digest.toString()).toBe(sha(object))
    expect(server.requests).toHaveLength(2)
  })

  it('fails with RangeResponseError on a wrong Content-Range and leaves no file', async () => {
    const { error, destination } = await run({ wrongContentRange: true }, { concurrency: 1 })
    expect(error).toBeInstanceOf(RangeResponseError)
    expect(error.code).toBe('ERR_BAD_RANGE')
    expect(error.message).toMatch(/wrong Content-Range "bytes 131073-262144\/1000000"/)
    expect(await leftovers(destination)).toEqual([])
  })

  it('fails with DigestMismatchError and leaves no file, keeping an older one intact', async () => {
    const tampered = object.slice()
    tampered[700_000] ^= 1
    const destination = join(dir, `out-${seq + 1}.bin`)
    await writeFile(destination, 'previous content')
    const { error, events } = await run({}, {}, tampered)
    expect(error).toBeInstanceOf(DigestMismatchError)
    expect(error.expected.toString()).toBe(sha(object))
    expect(error.actual.toString()).toBe(sha(tampered))
    expect(error.bytes).toBe(object.length)
    expect(await readFile(destination, 'utf8')).toBe('previous content')
    expect(await leftovers(destination)).toEqual([`out-${seq}.bin`])
    expect(events.at(-1)).toEqual({ type: 'error', error })
  })

  it('fails with SizeMismatchError when the server announces another size', async () => {
    const { error, destination } = await run({}, { size: 999_999 })
    expect(error).toBeInstanceOf(SizeMismatchError)
    expect(error.expected).toBe(999_999)
    expect(error.actual).toBe(object.length)
    expect(await leftovers(destination)).toEqual([])
  })

  it('fails with SizeMismatchError when a chunked body runs past the announced size', async () => {
    const longer = new Uint8Array(object.length + 5000)
    longer.set(object)
    const { error, destination } = await run(
      { ignoreRange: true, chunked: true, bodyOverride: longer },
      { size: object.length, partSize: 4 * 1024 * KiB },
      longer,
    )
    expect(error).toBeInstanceOf(SizeMismatchError)
    expect(await leftovers(destination)).toEqual([])
  })

  it('keeps the temp file on abort and resumes it, fetching only what is missing', async () => {
    const controller = new AbortController()
    const first = await run(
      { chunkDelayMs: 5, etag: '"v1"' },
      {
        concurrency: 2,
        signal: controller.signal,
        onProgress: (e: ProgressEvent) =>
          e.type === 'part' && e.partNumber >= 2 && controller.abort(),
      },
    )
    expect(isWharfError(first.error, 'ERR_ABORTED')).toBe(true)
    expect(existsSync(first.destination)).toBe(false)
    const kept = await leftovers(first.destination)
    expect(kept.sort()).toEqual([
      `out-${seq}.bin.wharf-download`,
      `out-${seq}.bin.wharf-download.json`,
    ])
    const state = JSON.parse(await readFile(`${first.destination}.wharf-download.json`, 'utf8'))
    const had = state.parts.reduce((a: number, b: number) => a + b, 0)
    expect(had).toBeGreaterThan(128 * KiB)

    const server = await objectServer(object, { etag: '"v1"' })
    const events: ProgressEvent[] = []
    const result = await downloadToFile({
      fetchRange: clientFetchRange(server.blobUrl),
      destination: first.destination,
      partSize: 128 * KiB,
      expected: sha(object),
      onProgress: (e) => events.push(e),
    })
    await server.close()
    expect(result.digest.toString()).toBe(sha(object))
    expect(sha(await readFile(first.destination))).toBe(sha(object))
    // The probe, then only ranges that were not complete before.
    const fetched = server
      .ranges()
      .slice(1)
      .map((r) => /bytes=(\d+)-(\d+)/.exec(r)!.slice(1).map(Number))
    const again = fetched.reduce((a, [s, e]) => a + e! - s! + 1, 0)
    expect(again).toBe(object.length - had)
    expect(await leftovers(first.destination)).toEqual([`out-${seq}.bin`])
  })

  it('resumes inside the first part after a network failure', async () => {
    const first = await run({ cut: { 1: 50_000 }, etag: '"v1"' }, { retries: 0, concurrency: 1 })
    expect(first.error.code).toBe('ERR_NETWORK')
    const state = JSON.parse(await readFile(`${first.destination}.wharf-download.json`, 'utf8'))
    const had = state.parts[0]
    expect(had).toBeGreaterThan(0)
    expect(had).toBeLessThanOrEqual(50_000)
    const server = await objectServer(object, { etag: '"v1"' })
    const result = await downloadToFile({
      fetchRange: clientFetchRange(server.blobUrl),
      destination: first.destination,
      partSize: 128 * KiB,
      expected: sha(object),
      concurrency: 1,
    })
    await server.close()
    expect(result.digest.toString()).toBe(sha(object))
    // The probe, then part 1 from where the kept bytes end.
    expect(server.ranges().slice(0, 2)).toEqual([
      `bytes=0-${128 * KiB - 1}`,
      `bytes=${had}-${128 * KiB - 1}`,
    ])
  })

  it('removes the temp file on abort when resume is false', async () => {
    const controller = new AbortController()
    const { error, destination } = await run(
      { chunkDelayMs: 5 },
      {
        resume: false,
        signal: controller.signal,
        onProgress: (e: ProgressEvent) => e.type === 'part' && controller.abort(),
      },
    )
    expect(isWharfError(error, 'ERR_ABORTED')).toBe(true)
    expect(await leftovers(destination)).toEqual([])
  })

  it('starts over when the kept temp file belongs to another version of the object', async () => {
    const controller = new AbortController()
    const first = await run(
      { chunkDelayMs: 5, etag: '"v1"' },
      {
        signal: controller.signal,
        expected: undefined,
        onProgress: (e: ProgressEvent) => e.type === 'part' && controller.abort(),
      },
    )
    expect(isWharfError(first.error, 'ERR_ABORTED')).toBe(true)
    const server = await objectServer(object, { etag: '"v2"' })
    await downloadToFile({
      fetchRange: clientFetchRange(server.blobUrl),
      destination: first.destination,
      partSize: 128 * KiB,
    })
    await server.close()
    // Every part is fetched again: the kept bytes were for ETag "v1".
    expect(server.ranges()).toHaveLength(8)
    expect(sha(await readFile(first.destination))).toBe(sha(object))
  })

  it('downloads an empty object', async () => {
    const empty = new Uint8Array(0)
    const { result, destination } = await run({}, { expected: digestOf(empty) }, empty)
    expect(result!.size).toBe(0)
    expect((await readFile(destination)).length).toBe(0)
  })

  it('retries a part that fails with 503 and gives up after the retry budget', async () => {
    const server = await objectServer(object)
    let calls = 0
    const base = clientFetchRange(server.blobUrl)
    const flaky: typeof base = async (range, signal) => {
      calls++
      if (range && range.start > 0) return { status: 503, headers: new Headers(), body: null }
      return base(range, signal)
    }
    const error = await downloadToFile({
      fetchRange: flaky,
      destination: join(dir, 'flaky.bin'),
      partSize: 512 * KiB,
      retries: 2,
      retryDelay: 1,
    }).catch((e) => e)
    await server.close()
    expect(error).toBeInstanceOf(RangeResponseError)
    expect(error.message).toMatch(/unexpected status 503/)
    expect(calls).toBe(4)
    expect(existsSync(join(dir, 'flaky.bin'))).toBe(false)
  })

  it.each([
    ['inline', false],
    ['on a worker thread', true],
  ])('hashes %s: parts out of order, a cut part, and a mismatch', async (_, hashInWorker) => {
    const good = await run(
      { cut: { 4: 70_000 }, chunkDelayMs: 1 },
      { concurrency: 4, hashInWorker },
    )
    expect(good.result!.digest.toString()).toBe(sha(object))
    expect(sha(await readFile(good.destination))).toBe(sha(object))
    const tampered = object.slice()
    tampered[10] ^= 1
    const bad = await run({}, { concurrency: 4, hashInWorker }, tampered)
    expect(bad.error).toBeInstanceOf(DigestMismatchError)
    expect(bad.error.actual.toString()).toBe(sha(tampered))
    expect(await leftovers(bad.destination)).toEqual([])
  })

  it('rejects bad options with typed errors', async () => {
    const fetchRange = clientFetchRange('http://127.0.0.1:9/')
    const server = await objectServer(object)
    await expect(
      downloadToFile({
        fetchRange: clientFetchRange(server.blobUrl),
        destination: join(dir, 'no-such-dir', 'x.bin'),
      }),
    ).rejects.toThrow(/cannot write .*no-such-dir\/x\.bin\.wharf-download: ENOENT/)
    await server.close()
    await expect(downloadToFile({ fetchRange, destination: '' })).rejects.toThrow(
      /destination must be a file path/,
    )
    await expect(
      downloadToFile({ fetchRange, destination: join(dir, 'x'), partSize: -1 }),
    ).rejects.toThrow(/partSize must be an integer/)
    await expect(
      downloadToFile({ fetchRange, destination: join(dir, 'x'), expected: 'sha1:00' }),
    ).rejects.toThrow(/unknown algorithm "sha1"/)
  })
})
