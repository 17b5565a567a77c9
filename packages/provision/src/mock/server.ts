import type { Auth } from './auth.js'
import { EventConnection, type EventHub } from './events.js'

/** A running fake: HTTP and websockets on one 127.0.0.1 port. */
export interface ListeningMock {
  /** `http://127.0.0.1:<port>` */
  url: string
  /** Stops the server and drops every connection. */
  close(): Promise<void>
}

/** Live websocket sockets of a fake, so tests can drop them. */
export interface SocketRegistry {
  sockets: Set<{ terminate(): void; close(code?: number): void }>
}

/**
 * Serves the fetch handler with core-http's `serve` and answers websocket upgrades of
 * `/api/v3/ws` with `ws` in noServer mode on the same port. Node only (loaded lazily).
 */
export async function listenWithEvents(
  handle: (request: Request) => Promise<Response>,
  deps: {
    auth: Auth
    hub: EventHub
    now: () => Date
    registry: SocketRegistry
    record(request: Request): void
  },
  options: { port?: number } = {},
): Promise<ListeningMock> {
  const { serve } = await import('@wharf/core-http/node')
  const { WebSocketServer } = await import('ws')
  const running = await serve(handle, {
    ...(options.port === undefined ? {} : { port: options.port }),
  })
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 })
  running.server.on('upgrade', (req, socket, head) => {
    const headers = new Headers()
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v)
    const request = new Request(new URL(req.url ?? '/', running.url), { headers })
    deps.record(request)
    const url = new URL(request.url)
    const principal = deps.auth.check(request)
    if (url.pathname !== '/api/v3/ws' || principal instanceof Response) {
      const status = principal instanceof Response ? principal.status : 404
      socket.end(
        `HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : 'Unauthorized'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
      )
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const connection = new EventConnection((text) => ws.send(text), deps.now)
      deps.hub.connections.add(connection)
      deps.registry.sockets.add(ws)
      ws.on('message', (data, binary) => {
        if (!binary) connection.receive(String(data))
      })
      ws.on('close', () => {
        deps.hub.connections.delete(connection)
        deps.registry.sockets.delete(ws)
      })
      ws.on('error', () => ws.terminate())
    })
  })
  return {
    url: running.url,
    close: async () => {
      for (const ws of deps.registry.sockets) ws.terminate()
      deps.registry.sockets.clear()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
      await running.close()
    },
  }
}
