import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer as createHttpsServer } from 'node:https'
import { type AddressInfo, connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startTestServer, type TestServer } from '@wharf/tooling/test-server'
import { selfSignedCertificate } from '@wharf/tooling/tls'
import { afterEach, describe, expect, it } from 'vitest'
import {
  type AuthStrategy,
  createHttpClient,
  HttpError,
  NetworkError,
  TimeoutError,
} from '../src/index.js'
import { mswHandlers } from '../src/mock.js'
import { createNodeFetch, fileBody, serve } from '../src/node/index.js'

const servers: Array<{ close(): Promise<void> }> = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})
async function start(handler: Parameters<typeof startTestServer>[0]): Promise<TestServer> {
  const s = await startTestServer(handler)
  servers.push(s)
  return s
}
const bearer: AuthStrategy = {
  authorize: (r) => void r.headers.set('authorization', 'Bearer real-secret'),
}

describe('over real sockets (node:http on 127.0.0.1)', () => {
  it('surfaces a response cut mid-stream as NetworkError', async () => {
    const s = await start((_req, res) => {
      res.writeHead(200, { 'content-length': '100000' })
      res.write(Buffer.alloc(1000))
      setTimeout(() => res.socket?.destroy(), 20)
    })
    const response = await createHttpClient({ baseUrl: s.url }).request('/blob')
    const error = await response.bytes().catch((e) => e)
    expect(error).toBeInstanceOf(NetworkError)
    expect(error.message).toContain(`GET ${s.url}/blob`)
  })

  it('trips the idle timeout when the body stalls after the headers', async () => {
    const s = await start((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' })
      res.write('some bytes')
    })
    const response = await createHttpClient({ baseUrl: s.url, idleTimeout: 200 }).request('/stall')
    const started = Date.now()
    const error = await response.text().catch((e) => e)
    expect(error).toBeInstanceOf(TimeoutError)
    expect(error.phase).toBe('body')
    expect(Date.now() - started).toBeLessThan(5000)
  })

  it('does not mistake a slow consumer for a silent server', async () => {
    const s = await start((_req, res) => {
      res.writeHead(200)
      res.end(Buffer.alloc(64 * 1024))
    })
    const response = await createHttpClient({ baseUrl: s.url, idleTimeout: 100 }).request('/ok')
    await new Promise((r) => setTimeout(r, 300))
    expect((await response.bytes()).byteLength).toBe(64 * 1024)
  })

  it('times out waiting for headers, retrying idempotent requests first', async () => {
    const s = await start(() => {})
    const client = createHttpClient({ baseUrl: s.url, timeout: 100, retry: { limit: 1, delay: 1 } })
    const error = await client.request('/never').catch((e) => e)
    expect(error).toBeInstanceOf(TimeoutError)
    expect(error.phase).toBe('headers')
    expect(s.requests).toHaveLength(2)
  })

  it('enforces an overall deadline across retries', async () => {
    const s = await start((_req, res) => {
      res.writeHead(503)
      res.end()
    })
    const client = createHttpClient({
      baseUrl: s.url,
      deadline: 1000,
      retry: { limit: 50, delay: 200, jitter: false, backoff: () => 200 },
    })
    const started = Date.now()
    const error = await client.request('/busy').catch((e) => e)
    expect(error).toMatchObject({ code: 'ERR_TIMEOUT', phase: 'deadline' })
    // 50 retries 200 ms apart would take 10 s: the deadline stopped them after a few.
    expect(Date.now() - started).toBeLessThan(5000)
    expect(s.requests.length).toBeGreaterThanOrEqual(2)
    expect(s.requests.length).toBeLessThanOrEqual(6)
  })

  it('applies the deadline to reading the body too', async () => {
    const s = await start((_req, res) => {
      res.writeHead(200)
      const timer = setInterval(() => res.write('x'), 30)
      res.on('close', () => clearInterval(timer))
    })
    const response = await createHttpClient({ baseUrl: s.url, deadline: 300 }).request('/trickle')
    const error = await response.text().catch((e) => e)
    expect(error).toMatchObject({ code: 'ERR_TIMEOUT', phase: 'deadline' })
  })

  it('retries connections reset before any response', async () => {
    let n = 0
    const s = await start((_req, res) => {
      if (++n < 3) return void res.socket?.destroy()
      res.end('ok')
    })
    const client = createHttpClient({ baseUrl: s.url, retry: { delay: 1 } })
    expect(await (await client.request('/reset')).text()).toBe('ok')
    expect(s.requests).toHaveLength(3)
  })

  it('reports a refused connection as NetworkError with the cause', async () => {
    const s = await start(() => {})
    const url = s.url
    await s.close()
    const error = await createHttpClient({ baseUrl: url, retry: 0 })
      .request('/')
      .catch((e) => e)
    expect(error).toBeInstanceOf(NetworkError)
    expect(error.message).toContain('ECONNREFUSED')
  })

  it('drops Authorization on a redirect to another origin', async () => {
    const storage = await start((_req, res) => res.end('stored bytes'))
    const registry = await start((_req, res) => {
      res.writeHead(307, { location: `${storage.url}/blob?sig=1` })
      res.end()
    })
    const res = await createHttpClient({ baseUrl: registry.url, auth: bearer }).request(
      '/v2/r/blobs/x',
    )
    expect(await res.text()).toBe('stored bytes')
    expect(registry.requests[0]!.headers.authorization).toBe('Bearer real-secret')
    expect(storage.requests[0]!.headers.authorization).toBeUndefined()
  })

  it('streams a file body with its Content-Length and can replay it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wharf-core-'))
    const path = join(dir, 'data.bin')
    writeFileSync(path, Buffer.alloc(3 * 1024 * 1024, 7))
    const received: Array<{ length: string | undefined; bytes: number }> = []
    const s = await start(async (req, res) => {
      let bytes = 0
      for await (const chunk of req) bytes += chunk.length
      received.push({ length: req.headers['content-length'], bytes })
      res.writeHead(received.length === 1 ? 503 : 201)
      res.end()
    })
    const client = createHttpClient({ baseUrl: s.url, retry: { delay: 1 } })
    const res = await client.request('/upload', { method: 'PUT', body: await fileBody(path) })
    expect(res.status).toBe(201)
    expect(received).toEqual([
      { length: String(3 * 1024 * 1024), bytes: 3 * 1024 * 1024 },
      { length: String(3 * 1024 * 1024), bytes: 3 * 1024 * 1024 },
    ])
  })

  it('cuts a huge error body at the limit without reading it all', async () => {
    const s = await start((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' })
      const chunk = Buffer.alloc(64 * 1024, 66)
      const pump = () => {
        while (res.write(chunk)) {}
      }
      res.on('drain', pump)
      pump()
    })
    const error = await createHttpClient({ baseUrl: s.url, retry: 0, errorBodyLimit: 4096 })
      .request('/huge')
      .catch((e) => e)
    expect(error).toBeInstanceOf(HttpError)
    expect(error.body).toHaveLength(4096)
  })
})

describe('a fetch handler served for real and through msw', () => {
  const handler = async (request: Request) => {
    const url = new URL(request.url)
    if (url.pathname === '/drop') return Response.error()
    return Response.json({ method: request.method, path: url.pathname, body: await request.text() })
  }

  it('answers over node:http and drops connections on Response.error()', async () => {
    const running = await serve(handler)
    servers.push(running)
    const client = createHttpClient({ baseUrl: running.url, retry: 0 })
    expect(await client.json('/echo', { method: 'POST', body: 'hi' })).toEqual({
      method: 'POST',
      path: '/echo',
      body: 'hi',
    })
    await expect(client.request('/drop')).rejects.toBeInstanceOf(NetworkError)
  })

  it('streams a large body without piling up listeners', async () => {
    const warnings: string[] = []
    const onWarning = (w: Error) => void warnings.push(w.name)
    process.on('warning', onWarning)
    const chunk = new Uint8Array(64 * 1024)
    const running = await serve(
      () =>
        new Response(
          new ReadableStream({
            start(c) {
              for (let i = 0; i < 256; i++) c.enqueue(chunk)
              c.close()
            },
          }),
        ),
    )
    servers.push(running)
    const res = await createHttpClient({ baseUrl: running.url }).request('/big')
    expect((await res.bytes({ limit: 32 * 1024 * 1024 })).byteLength).toBe(256 * 64 * 1024)
    process.off('warning', onWarning)
    expect(warnings).not.toContain('MaxListenersExceededWarning')
  })

  it('builds msw handlers for an origin', () => {
    const handlers = mswHandlers(handler, 'http://mock.test')
    expect(handlers).toHaveLength(1)
    expect(handlers[0]!.info.header).toContain('http://mock.test/*')
  })
})

describe('Node network options', () => {
  it('tunnels requests through a proxy given explicitly, except NO_PROXY hosts', async () => {
    const target = await start((_req, res) => res.end('from target'))
    const tunnels: string[] = []
    const proxy = await start((_req, res) => res.writeHead(405).end())
    proxy.server.on('connect', (req, client: Socket) => {
      tunnels.push(req.url ?? '')
      const [host, port] = (req.url ?? '').split(':')
      const upstream = connect(Number(port), host === 'localhost' ? '127.0.0.1' : host!, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
        upstream.pipe(client)
        client.pipe(upstream)
      })
      upstream.on('error', () => client.destroy())
      client.on('error', () => upstream.destroy())
    })
    const baseUrl = target.url.replace('127.0.0.1', 'localhost')
    const fetch = createNodeFetch({ proxy: { http: proxy.url, noProxy: 'example.invalid' } })
    const res = await createHttpClient({ baseUrl, fetch }).request('/via')
    expect(await res.text()).toBe('from target')
    expect(tunnels).toEqual([new URL(baseUrl).host])
    const direct = createNodeFetch({ proxy: { http: proxy.url, noProxy: 'localhost' } })
    expect(
      await (await createHttpClient({ baseUrl, fetch: direct }).request('/direct')).text(),
    ).toBe('from target')
    expect(tunnels).toHaveLength(1)
  })

  it('rejects a self-signed certificate unless given its CA or told to be insecure', async () => {
    const { key, certificate: cert } = selfSignedCertificate({
      altNames: 'IP:127.0.0.1,DNS:localhost',
    })
    const server = createHttpsServer({ key, cert }, (_req, res) => res.end('secure'))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    servers.push({
      close: () => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))),
    })
    const baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
    const plain = createHttpClient({ baseUrl, retry: 0, fetch: createNodeFetch({ proxy: false }) })
    await expect(plain.request('/')).rejects.toBeInstanceOf(NetworkError)
    const withCa = createHttpClient({ baseUrl, fetch: createNodeFetch({ proxy: false, ca: cert }) })
    expect(await (await withCa.request('/')).text()).toBe('secure')
    const insecure = createHttpClient({
      baseUrl,
      fetch: createNodeFetch({ proxy: false, insecure: true }),
    })
    expect(await (await insecure.request('/')).text()).toBe('secure')
  })
})

describe('undici loading', () => {
  it('leaves the built-in fetch on its own dispatcher, so explicit Content-Length still works', async () => {
    const s = await start(async (req, res) => {
      let body = ''
      for await (const chunk of req) body += chunk
      res.end(`${req.headers['content-length']}:${body}`)
    })
    // A fresh process where undici is loaded before anything touches the built-in fetch.
    const script = `
      import { createNodeFetch } from '@wharf/core-http/node'
      const { createHttpClient } = await import('@wharf/core-http')
      const viaUndici = createHttpClient({ baseUrl: '${s.url}', fetch: createNodeFetch({ proxy: false }) })
      await (await viaUndici.request('/a')).text()
      const plain = createHttpClient({ baseUrl: '${s.url}', retry: 0 })
      const res = await plain.request('/b', { method: 'PUT', body: 'hello' })
      console.log(await res.text())
    `
    const { execFile } = await import('node:child_process')
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ['--input-type=module', '-e', script],
        { cwd: fileURLToPath(new URL('..', import.meta.url)) },
        (error, stdout, stderr) => (error ? reject(new Error(stderr)) : resolve(stdout)),
      ),
    )
    expect(out.trim()).toBe('5:hello')
  })
})

describe('abort after garbage collection', () => {
  it('still reaches a body that is being read (derived signals are held weakly)', async () => {
    const s = await start((_req, res) => {
      res.writeHead(200, { 'content-length': '1048576' })
      res.write(Buffer.alloc(64 * 1024))
    })
    const script = `
      const { createHttpClient } = await import('@wharf/core-http')
      const controller = new AbortController()
      const client = createHttpClient({ baseUrl: '${s.url}', signal: controller.signal })
      const response = await client.request('/stall')
      const reading = response.bytes().then(() => 'finished', (e) => e.code)
      for (let i = 0; i < 5; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 20)) }
      controller.abort(new Error('interrupted'))
      const outcome = await Promise.race([reading, new Promise((r) => setTimeout(() => r('hung'), 3000))])
      console.log(outcome)
      process.exit(0)
    `
    const { execFile } = await import('node:child_process')
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ['--expose-gc', '--input-type=module', '-e', script],
        { cwd: fileURLToPath(new URL('..', import.meta.url)) },
        (error, stdout, stderr) => (error ? reject(new Error(stderr)) : resolve(stdout)),
      ),
    )
    expect(out.trim()).toBe('ERR_ABORTED')
  })
})
