import { type FetchHandler, mswHandlers } from '@wharf/core-http/mock'
import { Auth } from './auth.js'
import { EventHub, type MockEvent } from './events.js'
import { errorResponse, MockError } from './reply.js'
import { type RouteContext, route } from './routes.js'
import { RULES } from './rules.js'
import { defaultPrefs, seedStore } from './seed.js'
import { type ListeningMock, listenWithEvents, type SocketRegistry } from './server.js'
import { type Obj, Store } from './store.js'

export type { MockEvent } from './events.js'
export { MockError } from './reply.js'
export type { ListeningMock } from './server.js'
export type { Obj, Rules } from './store.js'
export { type IndexSpec, type IndexType, MODEL_SPECS, type ModelSpec } from './types.js'

/** Options of {@link createMockProvision}. */
export interface MockProvisionOptions {
  /** Users and their passwords (default `rocketskates` / `r0cketsk8ts`), all superusers. */
  users?: Record<string, string>
  /** Clock for times and token expiry (default the system clock, fakeable with timers). */
  now?: () => Date
  /** UUID generator for machines and jobs. */
  uuid?: () => string
  /** Token generator. */
  token?: () => string
  /** Largest JSON body accepted (default 4 MiB). */
  bodyLimit?: number
  /** Largest file, ISO or log upload accepted (default 256 MiB). */
  blobLimit?: number
}

/** One request as the fake received it. */
export interface RecordedRequest {
  method: string
  path: string
  query: string
  headers: Record<string, string>
}

function randomHex(bytes: number): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes))
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('')
}

/** An in-memory dr-provision v3.10 (see {@link createMockProvision}). */
export interface MockProvision {
  /** The web fetch handler. */
  handle: FetchHandler
  /** msw handlers for the given origins (default `https://drp.test`); no websockets over msw. */
  handlers(...origins: string[]): ReturnType<typeof mswHandlers>
  /** Serves HTTP and the websocket event stream on 127.0.0.1. */
  listen(options?: { port?: number }): Promise<ListeningMock>
  /** Every request received, oldest first. */
  readonly requests: RecordedRequest[]
  /** Every event published, oldest first. */
  readonly events: MockEvent[]
  /** The object store (collections, files, isos, job logs, contents, prefs). */
  readonly store: Store
  /** Users, passwords and issued tokens. */
  readonly auth: Auth
  /** The server log ring (what `GET /logs` returns). */
  readonly logs: Obj[]
  /** A copy of one stored object, or undefined. */
  object(prefix: string, key: string): Obj | undefined
  /** Copies of every object of a collection, in key order. */
  objects(prefix: string): Obj[]
  /** Drops the next `n` HTTP connections without an answer (refused/reset for the client). */
  failNext(n: number): void
  /** Cuts every open websocket connection. */
  dropSockets(): void
  /** Publishes an event to the websocket listeners. */
  publish(event: Omit<MockEvent, 'Time' | 'Object'> & { Time?: string; Object?: unknown }): void
}

/**
 * Creates an in-memory dr-provision: token login, every model collection with CRUD and JSON
 * patch, filters and indexes, files and ISOs, contents, jobs with logs and actions, info,
 * logs, prefs, and the websocket event stream (real server only).
 */
export function createMockProvision(options: MockProvisionOptions = {}): MockProvision {
  const now = options.now ?? (() => new Date())
  const sources = {
    now,
    uuid: options.uuid ?? (() => crypto.randomUUID()),
    secret: () => randomHex(8),
  }
  const hub = new EventHub()
  const store = new Store(sources, hub, RULES, defaultPrefs(sources.secret))
  const auth = new Auth(() => now().getTime(), options.token ?? (() => randomHex(24)))
  const users = options.users ?? { rocketskates: 'r0cketsk8ts' }
  for (const [name, password] of Object.entries(users)) auth.users.set(name, { password })
  seedStore(store, Object.keys(users))
  const requests: RecordedRequest[] = []
  const logs: Obj[] = []
  const registry: SocketRegistry = { sockets: new Set() }
  let failures = 0
  let seq = 0
  const log = (level: string, message: string) => {
    const line = {
      Group: 0,
      Seq: ++seq,
      Time: now().toISOString(),
      Service: 'frontend',
      Level: level,
      File: 'mock',
      Line: 0,
      Message: message,
      Data: [],
      IgnorePublish: false,
    }
    logs.push(line)
    if (logs.length > 1000) logs.shift()
    hub.publish({ Time: line.Time, Type: 'log', Action: level, Key: 'frontend', Object: line })
  }
  const info = () => ({
    arch: 'amd64',
    os: 'linux',
    version: 'v3.10.0',
    id: 'drp-mock',
    api_port: 8092,
    file_port: 8091,
    dhcp_port: 67,
    binl_port: 4011,
    tftp_port: 69,
    tftp_enabled: false,
    dhcp_enabled: false,
    binl_enabled: false,
    prov_enabled: true,
    address: '127.0.0.1',
    stats: [
      { name: 'machines.count', count: store.collection('machines').size },
      { name: 'subnets.count', count: store.collection('subnets').size },
    ],
    features: [
      'api-v3',
      'sane-exit-codes',
      'common-blob-size',
      'change-stage-map',
      'job-exit-states',
      'workflows',
      'default-workflow',
      'http-range-header',
      'roles',
      'tenants',
      'secure-params',
      'separate-meta-api',
      'slim-objects',
    ],
    scopes: {},
    License: { Licenses: [] },
  })
  const ctx: RouteContext = {
    store,
    auth,
    info,
    logs,
    log,
    bodyLimit: options.bodyLimit ?? 4 * 1024 * 1024,
    blobLimit: options.blobLimit ?? 256 * 1024 * 1024,
  }
  const record = (request: Request) => {
    const url = new URL(request.url)
    requests.push({
      method: request.method,
      path: url.pathname,
      query: url.search.replace(/^\?/, ''),
      headers: Object.fromEntries(request.headers),
    })
    if (requests.length > 10_000) requests.shift()
  }

  const handle = async (request: Request): Promise<Response> => {
    record(request)
    if (failures > 0) {
      failures--
      return Response.error()
    }
    const url = new URL(request.url)
    if (!url.pathname.startsWith('/api/v3/') && url.pathname !== '/api/v3') {
      return errorResponse(new MockError(404, request.method, 'No route', '', url.pathname))
    }
    const principal = auth.check(request)
    if (principal instanceof Response) return principal
    const level = request.headers.get('x-log-request')
    if (level) {
      log(level.toLowerCase(), `${request.method} ${url.pathname} (traced for ${principal.user})`)
      log('error', `Log token: ${request.headers.get('x-log-token') ?? ''}`)
    }
    const seg = url.pathname.slice('/api/v3/'.length).split('/').map(decodeURIComponent)
    try {
      return await route(ctx, request, seg, url)
    } catch (error) {
      if (error instanceof MockError) return errorResponse(error)
      throw error
    }
  }

  return {
    handle,
    handlers: (...origins) =>
      mswHandlers(handle, ...(origins.length ? origins : ['https://drp.test'])),
    listen: (o) => listenWithEvents(handle, { auth, hub, now, registry, record }, o),
    requests,
    events: hub.published,
    store,
    auth,
    logs,
    object: (prefix, key) => {
      const o = store.collection(prefix).get(key)
      return o && JSON.parse(JSON.stringify(o))
    },
    objects: (prefix) =>
      store
        .items(prefix)
        .sort((a, b) => (a.key < b.key ? -1 : 1))
        .map((i) => JSON.parse(JSON.stringify(i.object))),
    failNext: (n) => {
      failures = n
    },
    dropSockets: () => {
      for (const ws of registry.sockets) ws.terminate()
    },
    publish: (event) =>
      hub.publish({
        ...event,
        Time: event.Time ?? now().toISOString(),
        Object: event.Object ?? null,
      }),
  }
}
