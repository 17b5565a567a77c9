import { createHash } from 'node:crypto'
import { HttpError, isWharfError } from '@wharf/core-http'
import { mswHandlers } from '@wharf/core-http/mock'
import { serve } from '@wharf/core-http/node'
import { setupServer } from 'msw/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type MultipartAdapter,
  multipartUpload,
  type ProgressEvent,
  SizeMismatchError,
} from '../src/index.js'
import { partsAdapter } from './support/parts-adapter.js'
import { type PartsFaults, partsServer } from './support/parts-server.js'

const data = new Uint8Array(1_000_003).map((_, i) => (i * 7 + (i >> 9)) % 256)
const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`

// Each transport runs the same contract: msw in-process, and a real node:http server.
const msw = setupServer()
beforeAll(() =>
  msw.listen({
    onUnhandledRequest: (request, print) => {
      if (new URL(request.url).hostname !== '127.0.0.1') print.error()
    },
  }),
)
afterAll(() => msw.close())

const transports = {
  msw: async (handler: (r: Request) => Promise<Response>) => {
    const origin = 'http://parts.test'
    msw.resetHandlers(...mswHandlers(handler, origin))
    return { url: origin, close: async () => {} }
  },
  'node:http': (handler: (r: Request) => Promise<Response>) => serve(handler),
}

describe.each(Object.keys(transports) as Array<keyof typeof transports>)(
  'multipart over %s',
  (transport) => {
    async function setup(faults: PartsFaults = {}) {
      const server = partsServer(faults)
      const running = await transports[transport](server.handler)
      return { server, adapter: partsAdapter(running.url), close: running.close }
    }

    it('uploads parts concurrently with per-part checksums and completes with the digest', async () => {
      const { server, adapter, close } = await setup()
      const events: ProgressEvent[] = []
      const result = await multipartUpload({
        source: new Blob([data]),
        partSize: 100_000,
        concurrency: 3,
        adapter,
        onProgress: (e) => events.push(e),
      })
      await close()
      expect(result).toEqual({ digest: sha(data), size: data.length })
      expect(sha(server.completed[0]!.bytes)).toBe(sha(data))
      expect(server.log.filter((l) => l.startsWith('PUT'))).toHaveLength(11)
      expect(events[0]).toMatchObject({ type: 'start', total: data.length, uploadId: 'u1' })
      expect((events[0] as { expiresAt: Date }).expiresAt.toISOString()).toBe(
        '2030-01-01T00:00:00.000Z',
      )
      expect(
        events
          .filter((e) => e.type === 'part')
          .map((e) => (e as { partNumber: number }).partNumber)
          .sort((a, b) => a - b),
      ).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
      expect(events.slice(-2)).toEqual([
        { type: 'finalizing' },
        { type: 'done', transferred: data.length },
      ])
    })

    it('retries part 3 when it fails twice, then succeeds', async () => {
      const { server, adapter, close } = await setup({ failPart: { 3: { times: 2, status: 503 } } })
      const result = await multipartUpload({
        source: data,
        partSize: 250_000,
        adapter,
        retryDelay: 1,
      })
      await close()
      expect(result.digest).toBe(sha(data))
      expect(server.log.filter((l) => l === 'PUT /uploads/u1/parts/3')).toHaveLength(3)
      expect(server.aborted).toEqual([])
    })

    it('aborts the upload when a part keeps failing', async () => {
      const { server, adapter, close } = await setup({ failPart: { 3: { times: 9, status: 503 } } })
      const events: ProgressEvent[] = []
      const error = await multipartUpload({
        source: data,
        partSize: 250_000,
        adapter,
        retryDelay: 1,
        onProgress: (e) => events.push(e),
      }).catch((e) => e)
      await close()
      expect(error).toBeInstanceOf(HttpError)
      expect(error.status).toBe(503)
      expect(server.log.filter((l) => l === 'PUT /uploads/u1/parts/3')).toHaveLength(3)
      expect(server.aborted).toEqual(['u1'])
      expect(server.completed).toEqual([])
      expect(events.at(-1)).toEqual({ type: 'error', error })
    })

    it('a fatal error (400) is not retried and aborts the upload', async () => {
      const { server, adapter, close } = await setup({ failPart: { 2: { times: 1, status: 400 } } })
      const error = await multipartUpload({
        source: data,
        partSize: 250_000,
        adapter,
        concurrency: 1,
      }).catch((e) => e)
      await close()
      expect(error).toBeInstanceOf(HttpError)
      expect(error.status).toBe(400)
      expect(server.log.filter((l) => l === 'PUT /uploads/u1/parts/2')).toHaveLength(1)
      expect(server.log).not.toContain('PUT /uploads/u1/parts/3')
      expect(server.aborted).toEqual(['u1'])
    })

    it('uses the part size the server imposes', async () => {
      const { server, adapter, close } = await setup({ partSize: 400_000 })
      await multipartUpload({ source: new Blob([data]), partSize: 100_000, adapter })
      await close()
      expect(server.log.filter((l) => l.startsWith('PUT'))).toHaveLength(3)
    })

    it('resumes an upload, sending only the parts the server lacks', async () => {
      const { server, adapter, close } = await setup({ failPart: { 4: { times: 1, status: 400 } } })
      let uploadId = ''
      const first = await multipartUpload({
        source: data,
        partSize: 250_000,
        adapter,
        concurrency: 1,
        leavePartsOnError: true,
        onProgress: (e) => e.type === 'start' && (uploadId = e.uploadId!),
      }).catch((e) => e)
      expect(first).toBeInstanceOf(HttpError)
      expect(server.aborted).toEqual([])
      const before = server.log.length
      const result = await multipartUpload({
        source: data,
        partSize: 250_000,
        adapter,
        resume: { uploadId, parts: [1, 2, 3].map((n) => ({ partNumber: n, etag: `"etag-${n}"` })) },
      })
      await close()
      expect(result.digest).toBe(sha(data))
      expect(server.log.slice(before)).toEqual([
        'PUT /uploads/u1/parts/4',
        'PUT /uploads/u1/parts/5',
        'POST /uploads/u1/complete',
      ])
    })

    it('stops and aborts the upload when the caller aborts', async () => {
      const { server, adapter, close } = await setup()
      const controller = new AbortController()
      const error = await multipartUpload({
        source: data,
        partSize: 100_000,
        concurrency: 1,
        adapter,
        signal: controller.signal,
        onProgress: (e) => e.type === 'part' && e.partNumber === 2 && controller.abort(),
      }).catch((e) => e)
      await close()
      expect(isWharfError(error, 'ERR_ABORTED')).toBe(true)
      expect(server.log.filter((l) => l.startsWith('PUT')).length).toBeLessThan(4)
      expect(server.aborted).toEqual(['u1'])
    })
  },
)

describe('multipart engine', () => {
  function memoryAdapter(hooks: { onPart?: (n: number) => Promise<void> } = {}) {
    const parts = new Map<number, Uint8Array>()
    const calls: string[] = []
    const adapter: MultipartAdapter<Uint8Array> = {
      async start(info) {
        calls.push(`start ${info.size} ${info.partSize} ${info.partCount}`)
        return { uploadId: 'm' }
      },
      async uploadPart(part) {
        const bytes = new Uint8Array(await new Response(await part.body.open()).arrayBuffer())
        expect(sha(bytes)).toBe(part.checksum.toString())
        await hooks.onPart?.(part.partNumber)
        parts.set(part.partNumber, bytes)
        return {}
      },
      async complete({ parts: list, digest }) {
        calls.push(`complete ${list.map((p) => p.partNumber).join(',')} ${digest}`)
        return new Uint8Array(Buffer.concat(list.map((p) => parts.get(p.partNumber)!)))
      },
      async abort() {
        calls.push('abort')
      },
    }
    return { adapter, calls }
  }

  it('never holds more than concurrency × partSize of an opened source', async () => {
    let read = 0
    let uploaded = 0
    let peak = 0
    const source = {
      size: data.length,
      open(start: number, end: number) {
        let at = start
        return new ReadableStream<Uint8Array>(
          {
            pull(c) {
              if (at >= end) return c.close()
              const chunk = data.subarray(at, Math.min(end, at + 16_384))
              at += chunk.byteLength
              read += chunk.byteLength
              peak = Math.max(peak, read - uploaded)
              c.enqueue(chunk)
            },
          },
          { highWaterMark: 0 },
        )
      },
    }
    const { adapter } = memoryAdapter({
      onPart: async () => {
        await new Promise((r) => setTimeout(r, 2))
        uploaded += 50_000
      },
    })
    const out = await multipartUpload({ source, partSize: 50_000, concurrency: 2, adapter })
    expect(sha(out)).toBe(sha(data))
    // A chunk may straddle a part boundary: allow one chunk (16 KiB) of read-ahead.
    expect(peak).toBeLessThanOrEqual(2 * 50_000 + 16_384)
    expect(peak).toBeGreaterThan(50_000)
  })

  it('sends one empty part for an empty source', async () => {
    const { adapter, calls } = memoryAdapter()
    const out = await multipartUpload({ source: new Uint8Array(0), partSize: 10, adapter })
    expect(out.byteLength).toBe(0)
    expect(calls).toEqual(['start 0 10 1', `complete 1 ${sha(new Uint8Array(0))}`])
  })

  it('fails with SizeMismatchError when the source is shorter than it claims, and aborts', async () => {
    const { adapter, calls } = memoryAdapter()
    const source = { size: 100, open: () => new Blob([new Uint8Array(60)]).stream() }
    const error = await multipartUpload({ source, partSize: 30, adapter }).catch((e) => e)
    expect(error).toBeInstanceOf(SizeMismatchError)
    expect(calls.at(-1)).toBe('abort')
  })

  it('rejects bad options with typed errors', async () => {
    const { adapter } = memoryAdapter()
    await expect(multipartUpload({ source: data, partSize: 0, adapter })).rejects.toThrow(
      /partSize must be an integer/,
    )
    await expect(multipartUpload({ source: data, size: 5, partSize: 10, adapter })).rejects.toThrow(
      /size option is 5 but the source has/,
    )
    await expect(
      multipartUpload({ source: data, partSize: 10, concurrency: 1000, adapter }),
    ).rejects.toThrow(/concurrency must be an integer from 1 to 64/)
  })
})
