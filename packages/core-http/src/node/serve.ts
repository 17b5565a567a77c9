import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import type { FetchHandler } from '../mock.js'

/** A running server; `close()` stops it and drops open connections. */
export interface RunningServer {
  /** `http://127.0.0.1:<port>` */
  url: string
  port: number
  server: Server
  close(): Promise<void>
}

/** Where to listen. */
export interface ServeOptions {
  /** Port, 0 (default) for any free one. */
  port?: number
  /** Host, default 127.0.0.1. */
  host?: string
}

function toRequest(req: IncomingMessage, origin: string): Request {
  const headers = new Headers()
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!)
  }
  const method = req.method ?? 'GET'
  const hasBody = method !== 'GET' && method !== 'HEAD'
  return new Request(new URL(req.url ?? '/', origin), {
    method,
    headers,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream, duplex: 'half' } : {}),
  } as RequestInit)
}

async function writeResponse(
  response: Response,
  res: ServerResponse,
  head: boolean,
): Promise<void> {
  if (response.type === 'error') {
    res.socket?.destroy()
    return
  }
  const headers: Record<string, string | string[]> = {}
  for (const [name, value] of response.headers) {
    if (name === 'set-cookie') continue
    headers[name] = value
  }
  const cookies = response.headers.getSetCookie()
  if (cookies.length) headers['set-cookie'] = cookies
  res.writeHead(response.status, response.statusText, headers)
  if (!response.body || head) {
    res.end()
    response.body?.cancel().catch(() => {})
    return
  }
  const reader = response.body.getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      if (!res.write(value)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done)
            res.off('close', done)
            resolve()
          }
          res.on('drain', done)
          res.on('close', done)
        })
      }
      if (res.destroyed) {
        await reader.cancel().catch(() => {})
        return
      }
    }
    res.end()
  } catch {
    // The handler's body failed: cut the connection mid-stream, as a broken server would.
    res.socket?.destroy()
  }
}

/** Serves a fetch handler over real HTTP (node:http), by default on 127.0.0.1. */
export function serve(handler: FetchHandler, options: ServeOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1'
  const server = createServer(async (req, res) => {
    const origin = `http://${req.headers.host ?? host}`
    try {
      const response = await handler(toRequest(req, origin))
      await writeResponse(response, res, req.method === 'HEAD')
    } catch {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' })
        res.end('mock server error')
      } else res.socket?.destroy()
    }
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      const { port } = server.address() as AddressInfo
      const hostPart = host.includes(':') ? `[${host}]` : host
      resolve({
        url: `http://${hostPart}:${port}`,
        port,
        server,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections()
            server.close(() => done())
          }),
      })
    })
  })
}
