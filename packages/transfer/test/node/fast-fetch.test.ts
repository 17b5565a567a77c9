import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHttpClient, HttpError, NetworkError, replayableBody } from '@wharf/core-http'
import { startTestServer } from '@wharf/tooling/test-server'
import { describe, expect, it } from 'vitest'
import { createFastFetch, downloadToFile } from '../../src/node/index.js'
import { clientFetchRange } from '../support/fetch-range.js'
import { objectServer } from '../support/object-server.js'

const fetch = createFastFetch({ proxy: false })

describe('createFastFetch under core-http', () => {
  it('drops credentials on a cross-origin redirect and keeps them on the same origin', async () => {
    const other = await startTestServer((_req, res) => res.end('elsewhere'))
    const home = await startTestServer((req, res) => {
      if (req.url === '/away') res.writeHead(307, { location: `${other.url}/x` }).end()
      else if (req.url === '/here') res.writeHead(302, { location: '/final' }).end()
      else res.end('home')
    })
    const client = createHttpClient({
      baseUrl: home.url,
      fetch,
      headers: { authorization: 'Bearer secret-token' },
    })
    expect(await (await client.request('away')).text()).toBe('elsewhere')
    expect(await (await client.request('here')).text()).toBe('home')
    await Promise.all([home.close(), other.close()])
    expect(other.requests[0]!.headers.authorization).toBeUndefined()
    expect(home.requests.map((r) => [r.url, r.headers.authorization])).toEqual([
      ['/away', 'Bearer secret-token'],
      ['/here', 'Bearer secret-token'],
      ['/final', 'Bearer secret-token'],
    ])
  })

  it('turns error answers into HttpError with parsed entries and bodiless answers into null', async () => {
    const server = await startTestServer((req, res) => {
      if (req.method === 'HEAD') return res.writeHead(200, { 'content-length': '5' }).end()
      if (req.url === '/empty') return res.writeHead(204).end()
      res.writeHead(404, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ errors: [{ code: 'BLOB_UNKNOWN', message: 'no such blob' }] }))
    })
    const client = createHttpClient({ baseUrl: server.url, fetch, retry: 0 })
    const error = await client.request('missing').catch((e) => e)
    expect(error).toBeInstanceOf(HttpError)
    expect(error.status).toBe(404)
    expect(error.hasCode('BLOB_UNKNOWN')).toBe(true)
    expect((await client.request('x', { method: 'HEAD' })).body).toBeNull()
    expect((await client.request('empty')).status).toBe(204)
    await server.close()
  })

  it('sends string, bytes and replayable stream bodies', async () => {
    const received: string[] = []
    const server = await startTestServer(async (req, res) => {
      let body = ''
      for await (const c of req) body += c
      received.push(`${req.method} ${req.headers['content-length']} ${body}`)
      res.end()
    })
    const client = createHttpClient({ baseUrl: server.url, fetch })
    await client.request('a', { method: 'PUT', body: 'text' })
    await client.request('b', { method: 'PUT', body: new TextEncoder().encode('bytes') })
    const stream = replayableBody(() => new Blob(['streamed']).stream(), 8)
    await client.request('c', { method: 'PUT', body: stream })
    await client.request('d', { method: 'POST', json: { a: 1 } })
    await server.close()
    expect(received).toEqual(['PUT 4 text', 'PUT 5 bytes', 'PUT 8 streamed', 'POST 7 {"a":1}'])
  })

  it('reports a cut body as NetworkError', async () => {
    const server = await startTestServer((_req, res) => {
      res.writeHead(200, { 'content-length': '100000' })
      res.write(new Uint8Array(1000))
      setTimeout(() => res.socket?.destroy(), 20)
    })
    const client = createHttpClient({ baseUrl: server.url, fetch, retry: 0 })
    const response = await client.request('x')
    const error = await response.bytes().catch((e) => e)
    await server.close()
    expect(error).toBeInstanceOf(NetworkError)
  })

  it('carries a resumed concurrent download to a verified file', async () => {
    const object = new Uint8Array(600_000).map((_, i) => (i * 3 + (i >> 12)) % 256)
    const want = `sha256:${createHash('sha256').update(object).digest('hex')}`
    const server = await objectServer(object, { cut: { 2: 30_000 } })
    const dir = await mkdtemp(join(tmpdir(), 'wharf-fast-'))
    const result = await downloadToFile({
      fetchRange: clientFetchRange(server.blobUrl, fetch),
      destination: join(dir, 'blob'),
      partSize: 100_000,
      expected: want,
      retryDelay: 1,
    })
    await server.close()
    expect(result.digest.toString()).toBe(want)
    expect(
      `sha256:${createHash('sha256')
        .update(await readFile(join(dir, 'blob')))
        .digest('hex')}`,
    ).toBe(want)
    expect(server.requests).toHaveLength(7)
    await rm(dir, { recursive: true })
  })
})
