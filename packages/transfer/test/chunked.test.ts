import { createHash } from 'node:crypto'
import { createHttpClient, HttpError } from '@wharf/core-http'
import { mswHandlers } from '@wharf/core-http/mock'
import { serve } from '@wharf/core-http/node'
import { setupServer } from 'msw/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ChunkedAdapter, chunkedUpload, RangeResponseError } from '../src/index.js'
import { type ChunkFaults, chunkServer } from './support/chunk-server.js'

const data = new Uint8Array(250_000).map((_, i) => (i * 11 + (i >> 8)) % 256)
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

/** An OCI-style adapter on core-http: the offset is the end of the `Range` header + 1. */
function ociAdapter(url: string): ChunkedAdapter {
  const client = createHttpClient({ baseUrl: url, retry: 0 })
  const offset = (headers: Headers) => {
    const m = /^0-(\d+)$/.exec(headers.get('range') ?? '')
    return m ? Number(m[1]) + 1 : 0
  }
  return {
    async patch({ offset: start, size, body }, signal) {
      const r = await client.request(url, {
        method: 'PATCH',
        body,
        headers: { 'content-range': `${start}-${start + size - 1}` },
        signal,
      })
      await r.discard()
      return { offset: offset(r.headers) }
    },
    async status(signal) {
      const r = await client.request(url, { signal })
      return { offset: offset(r.headers) }
    },
  }
}

const transports = {
  msw: async (handler: (r: Request) => Promise<Response>) => {
    msw.resetHandlers(...mswHandlers(handler, 'http://chunks.test'))
    return { url: 'http://chunks.test/upload', close: async () => {} }
  },
  'node:http': async (handler: (r: Request) => Promise<Response>) => {
    const s = await serve(handler)
    return { url: `${s.url}/upload`, close: s.close }
  },
}

describe.each(Object.keys(transports) as Array<keyof typeof transports>)(
  'chunkedUpload over %s',
  (transport) => {
    async function run(faults: ChunkFaults, retry?: number) {
      const server = chunkServer(faults)
      const t = await transports[transport](server.handler)
      try {
        const result = await chunkedUpload({
          source: new Blob([data]),
          chunkSize: 60_000,
          adapter: ociAdapter(t.url),
          retryDelay: 1,
          ...(retry === undefined ? {} : { retry }),
        }).catch((e) => e)
        return { result, server }
      } finally {
        await t.close()
      }
    }

    it('sends chunks in order and returns the digest', async () => {
      const { result, server } = await run({})
      expect(result.digest.toString()).toBe(sha(data))
      expect(result.size).toBe(data.length)
      expect(server.digest()).toBe(sha(data))
      expect(server.log).toEqual([
        'PATCH 0-59999',
        'PATCH 60000-119999',
        'PATCH 120000-179999',
        'PATCH 180000-239999',
        'PATCH 240000-249999',
      ])
    })

    it('recovers from a lost chunk by asking the server its offset', async () => {
      const { result, server } = await run({ drop: [2] })
      expect(result.digest.toString()).toBe(sha(data))
      expect(server.digest()).toBe(sha(data))
      expect(server.log.slice(1, 4)).toEqual([
        'PATCH 60000-119999',
        'GET 60000',
        'PATCH 60000-119999',
      ])
    })

    it('continues after a lost answer without sending the chunk twice', async () => {
      const { result, server } = await run({ dropAnswer: [3] })
      expect(result.digest.toString()).toBe(sha(data))
      expect(server.log.slice(2, 5)).toEqual([
        'PATCH 120000-179999',
        'GET 180000',
        'PATCH 180000-239999',
      ])
    })

    it('recovers from a 416 after the server silently lost a chunk', async () => {
      const { result, server } = await run({ lose: [2] })
      expect(result.digest.toString()).toBe(sha(data))
      expect(server.digest()).toBe(sha(data))
      expect(server.log.slice(2, 5)).toEqual([
        'PATCH 120000-179999',
        'GET 60000',
        'PATCH 60000-119999',
      ])
    })

    it('gives up after the retry budget with the last error', async () => {
      const { result } = await run({ fail: [2, 3, 4, 5] }, 2)
      expect(result).toBeInstanceOf(HttpError)
      expect(result.status).toBe(500)
    })
  },
)

describe('chunkedUpload engine', () => {
  it('rejects an offset beyond what was sent', async () => {
    const error = await chunkedUpload({
      source: data,
      chunkSize: 100_000,
      adapter: { patch: async () => ({ offset: 999_999 }), status: async () => ({ offset: 0 }) },
    }).catch((e) => e)
    expect(error).toBeInstanceOf(RangeResponseError)
    expect(error.message).toMatch(/offset 999999 after bytes 0-99999/)
  })

  it('hashes the whole source even when the adapter never reads a body', async () => {
    const result = await chunkedUpload({
      source: data,
      chunkSize: 100_000,
      adapter: {
        patch: async (c) => ({ offset: c.offset + c.size }),
        status: async () => ({ offset: 0 }),
      },
    })
    expect(result.digest.toString()).toBe(sha(data))
  })

  it('stops at the next chunk when the caller aborts', async () => {
    const controller = new AbortController()
    const offsets: number[] = []
    const error = await chunkedUpload({
      source: data,
      chunkSize: 50_000,
      signal: controller.signal,
      adapter: {
        patch: async (c) => {
          offsets.push(c.offset)
          if (offsets.length === 2) controller.abort()
          return { offset: c.offset + c.size }
        },
        status: async () => ({ offset: 0 }),
      },
    }).catch((e) => e)
    expect(error.code).toBe('ERR_ABORTED')
    expect(offsets).toEqual([0, 50_000])
  })

  it('fails when the server makes no progress', async () => {
    const error = await chunkedUpload({
      source: data,
      chunkSize: 100_000,
      retry: 2,
      adapter: { patch: async (c) => ({ offset: c.offset }), status: async () => ({ offset: 0 }) },
    }).catch((e) => e)
    expect(error).toBeInstanceOf(RangeResponseError)
    expect(error.message).toMatch(/no progress at offset 0/)
  })
})
