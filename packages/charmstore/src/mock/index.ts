import { mswHandlers } from '@wharf/core-http/mock'
import { Access, type AdminCredentials } from './access.js'
import { getArchive, putArchive } from './archive.js'
import { Bakery, type DischargerState } from './bakery.js'
import type { Ctx, LogEntry, Upload } from './context.js'
import { errorResponse, fail, StoreError } from './http.js'
import { splitId } from './ids.js'
import { getBulkMeta, getEntityMeta, putEntityMeta } from './meta.js'
import { delegatableMacaroon, log, publish, statsUpdate, whoami } from './misc.js'
import { dockerUploadInfo, getResource, putResource } from './resources.js'
import { type Entity, STORE_CHANNELS, Store, type StoreChannel } from './state.js'
import { handleUpload } from './uploads.js'

export type { AdminCredentials } from './access.js'
export type { DischargerState } from './bakery.js'
export type { LogEntry, Upload } from './context.js'
export type { BaseEntity, Entity, ResourceRevision, StoreChannel } from './state.js'

/** Options of {@link createMockCharmStore}. */
export interface MockCharmStoreOptions {
  /** Origin the msw handlers answer for (default `http://127.0.0.1:7480`); `listen()` replaces it. */
  url?: string
  /** Origin of the msw discharger (default `http://localhost:7481`); `listen()` replaces it. */
  dischargerUrl?: string
  /** Admin basic-auth credentials (default `admin` / `admin-password`). */
  admin?: AdminCredentials
  /** How the third-party discharger behaves; mutable through `state.discharger`. */
  discharger?: DischargerState
  /** Group memberships reported by `whoami` and used by ACLs. */
  groups?: Record<string, string[]>
  /** Whether `/upload` (multipart resource uploads) exists, as in stores since 2017 (default true). */
  multipart?: boolean
  /** Size limits: archives and single resources, parts, the smallest non-final part, parts per upload. */
  limits?: Partial<Ctx['limits']>
}

/** One request the mock saw. */
export interface LoggedRequest {
  method: string
  /** Path after `/v5` (or the discharger path), with the query. */
  path: string
  url: string
  headers: Headers
  /** `store` or `discharger`. */
  server: 'store' | 'discharger'
}

/** A running mock: the real server URLs and a way to stop them. */
export interface ListeningMock {
  url: string
  dischargerUrl: string
  close(): Promise<void>
}

/** The mock charm store returned by {@link createMockCharmStore}. */
export interface MockCharmStore {
  /** The store as a fetch handler (`<root>/v5/...`). */
  handle(request: Request): Promise<Response>
  /** The discharger as a fetch handler (`/discharge`, `/visit`, `/wait-token`, `/wait`). */
  handleDischarge(request: Request): Promise<Response>
  /** msw handlers for the store and discharger origins. */
  handlers(): ReturnType<typeof mswHandlers>
  /** Serves store and discharger with real HTTP (127.0.0.1 and free ports unless given). */
  listen(options?: {
    port?: number
    dischargerPort?: number
    host?: string
  }): Promise<ListeningMock>
  /** Every request seen, oldest first. */
  readonly requests: LoggedRequest[]
  /** The in-memory state, for assertions and set-up. */
  readonly state: {
    store: Store
    discharger: DischargerState
    bakery: Bakery
    logs: LogEntry[]
    uploads: Map<string, Upload>
    stats: Ctx['stats']
    /** Current origins. */
    urls: { store: string; discharger: string }
  }
}

async function drain(request: Request): Promise<void> {
  if (!request.body || request.bodyUsed) return
  const reader = request.body.getReader()
  try {
    for (let total = 0; total < 1 << 30; ) {
      const { done, value } = await reader.read()
      if (done) return
      total += value.byteLength
    }
  } catch {
    // a broken body needs no draining
  }
}

/** An in-memory charm store (v5 API) with a macaroon discharger, for contract tests. */
export function createMockCharmStore(options: MockCharmStoreOptions = {}): MockCharmStore {
  const urls = {
    store: options.url ?? 'http://127.0.0.1:7480',
    discharger: options.dischargerUrl ?? 'http://localhost:7481',
  }
  const discharger: DischargerState = { ...options.discharger }
  const bakery = new Bakery(discharger, () => urls)
  const admin = options.admin ?? { username: 'admin', password: 'admin-password' }
  const store = new Store()
  const logs: LogEntry[] = []
  const uploads = new Map<string, Upload>()
  const stats: Ctx['stats'] = { updates: [] }
  const requests: LoggedRequest[] = []
  const limits: Ctx['limits'] = {
    archive: 64 << 20,
    part: 2 ** 32 - 1,
    minPart: 5 << 20,
    maxParts: 400,
    ...options.limits,
  }

  async function route(ctx: Ctx, elems: string[]): Promise<Response> {
    const method = ctx.request.method
    const [top, ...tail] = elems
    switch (top) {
      case 'meta':
        if (method === 'GET') return getBulkMeta(ctx, tail, (e) => readable(ctx, e))
        return fail('method not allowed', `${method} not allowed on /meta`)
      case 'upload':
        if (options.multipart === false) return fail('not found', 'not found')
        return handleUpload(ctx, tail)
      case 'whoami':
        return whoami(ctx)
      case 'delegatable-macaroon':
        return delegatableMacaroon(ctx)
      case 'log':
        return log(ctx)
      case 'stats':
        if (tail[0] === 'update' && method === 'PUT') return statsUpdate(ctx)
        return fail('not found', 'not found')
    }
    const split = splitId(elems)
    if (!split || split.rest.length === 0)
      return fail('not found', `not found: /${elems.join('/')}`)
    const { ref, rest } = split
    const [endpoint, ...sub] = rest
    if (endpoint === 'archive' && (method === 'POST' || method === 'PUT') && sub.length === 0) {
      return putArchive(ctx, ref)
    }
    const e = ctx.store.resolve(ref, ctx.channel)
    const base = ctx.store.baseOf(e)
    switch (`${method} ${endpoint}`) {
      case 'GET meta':
        readable(ctx, e)
        return getEntityMeta(ctx, ref, e, sub)
      case 'PUT meta':
        ctx.access.check(base, ctx.store.aclChannel(e, ctx.channel), 'Write')
        return putEntityMeta(ctx, e, sub)
      case 'GET archive':
        readable(ctx, e)
        return getArchive(ctx, ref, e, sub)
      case 'GET resource':
        readable(ctx, e)
        return getResource(ctx, e, sub)
      case 'POST resource':
      case 'PUT resource':
        ctx.access.check(base, 'unpublished', 'Write')
        return putResource(ctx, e, sub)
      case 'GET docker-resource-upload-info':
        ctx.access.check(base, 'unpublished', 'Write')
        return dockerUploadInfo(ctx, e)
      case 'PUT publish':
        return publish(ctx, e)
      default:
        return fail('not found', `not found: ${method} /${elems.join('/')}`)
    }
  }

  function readable(ctx: Ctx, e: Entity): void {
    ctx.access.check(ctx.store.baseOf(e), ctx.store.aclChannel(e, ctx.channel), 'Read')
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url)
    const at = url.pathname.indexOf('/v5/')
    const path = at >= 0 ? url.pathname.slice(at + 3) : url.pathname
    requests.push({
      method: request.method,
      path: path + url.search,
      url: request.url,
      headers: new Headers(request.headers),
      server: 'store',
    })
    try {
      if (at < 0) fail('not found', `not found: ${url.pathname}`)
      const channels = url.searchParams.getAll('channel')
      for (const c of channels) {
        if (!STORE_CHANNELS.includes(c as StoreChannel))
          fail('bad request', `invalid channel ${JSON.stringify(c)} specified in request`)
      }
      const ctx: Ctx = {
        request,
        url,
        params: url.searchParams,
        store,
        access: new Access(request, bakery, admin, options.groups ?? {}, path),
        bakery,
        channel: channels[0] as StoreChannel | undefined,
        logs,
        uploads,
        stats,
        limits,
      }
      const elems = path
        .split('/')
        .slice(1)
        .filter((s, i, all) => s !== '' || i < all.length - 1)
        .map((element) => {
          try {
            return decodeURIComponent(element)
          } catch {
            return fail('bad request', `invalid URL escape in ${JSON.stringify(element)}`)
          }
        })
      return await route(ctx, elems)
    } catch (error) {
      await drain(request)
      if (error instanceof StoreError) return errorResponse(error)
      return errorResponse(new StoreError('', `internal error: ${(error as Error).message}`))
    }
  }

  async function handleDischarge(request: Request): Promise<Response> {
    const url = new URL(request.url)
    requests.push({
      method: request.method,
      path: url.pathname + url.search,
      url: request.url,
      headers: new Headers(request.headers),
      server: 'discharger',
    })
    return bakery.handle(request)
  }

  return {
    handle,
    handleDischarge,
    handlers: () => [
      ...mswHandlers(handle, urls.store),
      ...mswHandlers(handleDischarge, urls.discharger),
    ],
    async listen(options = {}) {
      const { serve } = await import('@wharf/core-http/node')
      const host = options.host ?? '127.0.0.1'
      const b = await serve(handleDischarge, { port: options.dischargerPort ?? 0, host })
      const a = await serve(handle, { port: options.port ?? 0, host }).catch(async (error) => {
        await b.close()
        throw error
      })
      urls.store = a.url
      urls.discharger = b.url
      return {
        url: a.url,
        dischargerUrl: b.url,
        close: async () => {
          await Promise.all([a.close(), b.close()])
        },
      }
    },
    requests,
    state: { store, discharger, bakery, logs, uploads, stats, urls },
  }
}
