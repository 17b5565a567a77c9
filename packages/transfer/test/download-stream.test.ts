import { createHash } from 'node:crypto'
import { mswHandlers } from '@wharf/core-http/mock'
import { setupServer } from 'msw/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DigestMismatchError, downloadStream, type ProgressEvent } from '../src/index.js'
import { clientFetchRange } from './support/fetch-range.js'
import { objectHandler } from './support/object-handler.js'
import { objectServer } from './support/object-server.js'

const object = new Uint8Array(700_001).map((_, i) => (i * 29 + (i >> 10)) % 256)
const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`

const msw = setupServer()
beforeAll(() =>
  msw.listen({
    onUnhandledRequest: (request, print) => {
      if (new URL(request.url).hostname !== '127.0.0.1') print.error()
    },
  }),
)
afterAll(() => msw.close())

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer())
}

describe('downloadStream over msw', () => {
  function mock(object: Uint8Array, cut?: Record<number, number>) {
    const { handler, log } = objectHandler(object, cut ? { cut } : {})
    msw.resetHandlers(...mswHandlers(handler, 'http://blobs.test'))
    return { log, fetchRange: clientFetchRange('http://blobs.test/blob') }
  }

  it('streams concurrently fetched parts in order and verifies the digest', async () => {
    const { log, fetchRange } = mock(object)
    const events: ProgressEvent[] = []
    const stream = downloadStream({
      fetchRange,
      partSize: 100_000,
      concurrency: 3,
      expected: sha(object),
      onProgress: (e) => events.push(e),
    })
    expect(sha(await readAll(stream))).toBe(sha(object))
    expect(log).toHaveLength(8)
    expect(log).toContain('bytes=700000-700000')
    expect(events[0]).toEqual({ type: 'start', total: object.length })
    expect(events.at(-1)).toEqual({ type: 'done', transferred: object.length })
  })

  it('resumes a broken part from where it stopped', async () => {
    const { log, fetchRange } = mock(object, { 2: 50_000 })
    const stream = downloadStream({
      fetchRange,
      partSize: 100_000,
      concurrency: 1,
      expected: sha(object),
      retryDelay: 1,
    })
    expect(sha(await readAll(stream))).toBe(sha(object))
    expect(log[1]).toBe('bytes=100000-199999')
    // The retry starts where the received bytes stopped (bytes in flight when the body broke
    // may be lost, never repeated): after 100 000 and at most at 150 000.
    const resumedAt = Number(/^bytes=(\d+)-199999$/.exec(log[2]!)![1])
    expect(resumedAt).toBeGreaterThan(100_000)
    expect(resumedAt).toBeLessThanOrEqual(150_000)
    expect(log).toHaveLength(9)
  })

  it('errors the stream with DigestMismatchError when the content is wrong', async () => {
    const { fetchRange } = mock(object.map((b) => b ^ 1))
    const error = await readAll(
      downloadStream({ fetchRange, partSize: 100_000, expected: sha(object) }),
    ).catch((e) => e)
    expect(error).toBeInstanceOf(DigestMismatchError)
    expect(error.bytes).toBe(object.length)
  })
})

describe('downloadStream over node:http', () => {
  it('keeps at most concurrency parts ahead of a slow reader', async () => {
    const server = await objectServer(object)
    const stream = downloadStream({
      fetchRange: clientFetchRange(server.blobUrl),
      partSize: 50_000,
      concurrency: 2,
      expected: sha(object),
    })
    const reader = stream.getReader()
    const first = await reader.read()
    await new Promise((r) => setTimeout(r, 200))
    // One part being read plus the next: no more requests until the reader moves on.
    expect(server.requests.length).toBeLessThanOrEqual(3)
    const chunks = [first.value!]
    for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(r.value)
    await server.close()
    expect(sha(new Uint8Array(Buffer.concat(chunks)))).toBe(sha(object))
    expect(server.requests).toHaveLength(15)
  })

  it('stops fetching when the reader cancels', async () => {
    const server = await objectServer(object, { chunkDelayMs: 5 })
    const stream = downloadStream({
      fetchRange: clientFetchRange(server.blobUrl),
      partSize: 50_000,
    })
    const reader = stream.getReader()
    await reader.read()
    await reader.cancel(new Error('enough'))
    const seen = server.requests.length
    await new Promise((r) => setTimeout(r, 100))
    await server.close()
    expect(server.requests.length).toBe(seen)
    expect(seen).toBeLessThan(15)
  })

  it('falls back to one stream when the server ignores Range', async () => {
    const server = await objectServer(object, { ignoreRange: true, cut: { 1: 100_000 } })
    const bytes = await readAll(
      downloadStream({
        fetchRange: clientFetchRange(server.blobUrl),
        partSize: 50_000,
        retryDelay: 1,
      }),
    )
    await server.close()
    expect(sha(bytes)).toBe(sha(object))
    expect(server.requests).toHaveLength(2)
  })
})
