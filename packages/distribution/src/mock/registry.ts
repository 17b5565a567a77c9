import { mswHandlers } from '@wharf/core-http/mock'
import type { RequestHandler } from 'msw'
import { Authenticator, type Need } from './auth.js'
import { blobEndpoint } from './blobs.js'
import { discardBody } from './body.js'
import type { Context } from './context.js'
import { fail } from './errors.js'
import { injectedFailure, type MockFaults, maybeCut } from './faults.js'
import { isName } from './grammar.js'
import { catalogEndpoint, referrersEndpoint, tagsEndpoint } from './listing.js'
import { manifestEndpoint, resolveManifest } from './manifests.js'
import { type MockRegistryOptions, resolveOptions } from './options.js'
import { type Route, route } from './router.js'
import { handleStorage, StorageLinks } from './storage.js'
import { Store } from './store.js'
import { startUpload, uploadEndpoint } from './uploads.js'
import { checkName } from './validate.js'

/** A request as the mock saw it; credentials in headers are redacted. */
export interface LoggedRequest {
  method: string
  url: string
  headers: Record<string, string>
}

/** A manifest as stored, for test inspection. */
export interface InspectedManifest {
  digest: string
  mediaType: string
  bytes: Uint8Array
}

/** The mock listening on real sockets. */
export interface ListeningRegistry {
  /** Registry origin, `http://127.0.0.1:<port>`. */
  url: string
  /** Storage origin that redirected blob GETs go to. */
  storageUrl: string
  close(): Promise<void>
}

/** An in-memory OCI registry with its own token server, storage origin and fault injection. */
export interface MockRegistry {
  /** The fetch handler for both origins (requests to `storageOrigin` go to storage). */
  handle(request: Request): Promise<Response>
  /** msw handlers for `origin` and `storageOrigin`. */
  handlers(): RequestHandler[]
  /** Serves the registry and its storage origin over HTTP on 127.0.0.1 (each on its own port). */
  listen(options?: {
    port?: number
    host?: string
    storagePort?: number
  }): Promise<ListeningRegistry>
  /** Faults to inject; mutable at run time. */
  faults: MockFaults
  /** Every request seen (registry, token endpoint and storage), oldest first. */
  readonly requests: LoggedRequest[]
  /** Empties storage, uploads, tokens, the request log and the faults. */
  reset(): void
  /** True when the blob is linked into the repository. */
  hasBlob(repository: string, digest: string): boolean
  /** The blob's bytes when linked into the repository. */
  blob(repository: string, digest: string): Uint8Array | undefined
  /** The manifest a tag or digest names. */
  manifest(repository: string, reference: string): InspectedManifest | undefined
  /** Tags of a repository in byte order (empty when unknown). */
  tags(repository: string): string[]
  /** Repository names in byte order. */
  repositories(): string[]
  /** Open upload sessions, in one repository or all. */
  uploadSessions(repository?: string): number
  /** Bytes held in memory (blobs, uploads, manifests). */
  readonly bytesUsed: number
}

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie'])

function needsFor(r: Route, method: string): Need[] {
  if (r.kind === 'base') return []
  if (r.kind === 'catalog') return [{ type: 'registry', name: 'catalog', actions: ['*'] }]
  const repository = (actions: string[]) => [{ type: 'repository', name: r.name, actions }]
  if (r.kind === 'uploadStart' || r.kind === 'upload') return repository(['pull', 'push'])
  if (method === 'GET' || method === 'HEAD') return repository(['pull'])
  if (method === 'DELETE') return repository(['delete'])
  return repository(['pull', 'push'])
}

const notFound = () =>
  new Response('404 page not found\n', { status: 404, headers: { 'content-type': 'text/plain' } })

/**
 * Creates an in-memory OCI registry (distribution-spec v1.1) for tests, written from the
 * protocol reference. Use it with msw (`setupServer(...registry.handlers())`) or over real
 * HTTP (`const { url } = await registry.listen()`); inject faults through `registry.faults`
 * and inspect what it saw in `registry.requests`. `DISTRIBUTION_2_8` spread into the options
 * reproduces the 2.8 reference server.
 */
export function createMockRegistry(options: MockRegistryOptions = {}): MockRegistry {
  const resolved = resolveOptions(options)
  const store = new Store(resolved.maxBytes)
  const auth = new Authenticator(resolved)
  const links = new StorageLinks(resolved.now)
  const faults: MockFaults = {}
  const requests: LoggedRequest[] = []

  const log = (request: Request) => {
    const headers: Record<string, string> = {}
    for (const [name, value] of request.headers) {
      headers[name] = SECRET_HEADERS.has(name) ? `${value.split(' ')[0]} [redacted]` : value
    }
    requests.push({ method: request.method, url: request.url, headers })
    if (requests.length > resolved.maxLoggedRequests) requests.shift()
  }

  async function dispatch(request: Request, url: URL, storageOrigin: string): Promise<Response> {
    if (url.pathname === '/token') return auth.token(request)
    const r = route(url.pathname)
    if (!r || (r.kind === 'referrers' && !resolved.referrersApi)) return notFound()
    if ('name' in r) {
      const bad = checkName(r.name)
      if (bad) return bad
    }
    const from = r.kind === 'uploadStart' ? url.searchParams.get('from') : null
    const wanted =
      from && isName(from) ? [{ type: 'repository', name: from, actions: ['pull'] }] : []
    const access = auth.check(request, needsFor(r, request.method), wanted)
    if (access instanceof Response) return access
    const ctx: Context = {
      request,
      url,
      store,
      options: resolved,
      faults,
      access,
      storage: links,
      storageOrigin,
    }
    switch (r.kind) {
      case 'base':
        return Response.json({})
      case 'catalog':
        return catalogEndpoint(ctx)
      case 'tags':
        return tagsEndpoint(ctx, r.name)
      case 'manifest':
        return manifestEndpoint(ctx, r.name, r.reference)
      case 'referrers':
        return referrersEndpoint(ctx, r.name, r.digest)
      case 'uploadStart':
        return startUpload(ctx, r.name)
      case 'upload':
        return uploadEndpoint(ctx, r.name, r.id)
      case 'blob':
        return blobEndpoint(ctx, r.name, r.digest)
    }
  }

  async function respond(
    request: Request,
    answer: (url: URL) => Response | Promise<Response>,
    registryHeaders: boolean,
  ): Promise<Response> {
    const url = new URL(request.url)
    log(request)
    let response: Response
    try {
      response = injectedFailure(faults, url) ?? (await answer(url))
    } catch (error) {
      response = fail(500, 'UNKNOWN', `mock registry error: ${(error as Error).message}`)
    }
    await discardBody(request)
    if (registryHeaders) {
      response.headers.set('docker-distribution-api-version', 'registry/2.0')
      for (const text of resolved.warnings) {
        response.headers.append('warning', `299 - "${text.replace(/["\\]/g, '\\$&')}"`)
      }
    }
    if (request.method === 'HEAD' && response.body) {
      response.body.cancel().catch(() => {})
      response = new Response(null, { status: response.status, headers: response.headers })
    }
    return maybeCut(faults, url, response)
  }

  const registry = (request: Request, storageOrigin: string) =>
    respond(request, (url) => dispatch(request, url, storageOrigin), true)
  const storage = (request: Request) =>
    respond(
      request,
      (url) => handleStorage(request, url, store, links, !!faults.ignoreRange),
      false,
    )

  const inspect = (repository: string, reference: string) => {
    const repo = store.repository(repository)
    const m = repo && resolveManifest(repo, reference)
    return m && { digest: m.digest, mediaType: m.mediaType, bytes: m.bytes }
  }

  const handle = (request: Request) =>
    new URL(request.url).origin === resolved.storageOrigin
      ? storage(request)
      : registry(request, resolved.storageOrigin)

  return {
    handle,
    handlers: () => mswHandlers(handle, resolved.origin, resolved.storageOrigin),
    async listen(listenOptions = {}) {
      const { serve } = await import('@wharf/core-http/node')
      const host = listenOptions.host ?? '127.0.0.1'
      const storageServer = await serve(storage, { port: listenOptions.storagePort ?? 0, host })
      const registryServer = await serve((request) => registry(request, storageServer.url), {
        port: listenOptions.port ?? 0,
        host,
      }).catch(async (error) => {
        await storageServer.close()
        throw error
      })
      return {
        url: registryServer.url,
        storageUrl: storageServer.url,
        close: async () => {
          await Promise.all([registryServer.close(), storageServer.close()])
        },
      }
    },
    faults,
    requests,
    reset() {
      store.clear()
      auth.clear()
      links.clear()
      requests.length = 0
      for (const key of Object.keys(faults) as Array<keyof MockFaults>) delete faults[key]
    },
    hasBlob: (repository, digest) => store.blob(repository, digest) !== undefined,
    blob: (repository, digest) => store.blob(repository, digest),
    manifest: inspect,
    tags: (repository) => [...(store.repository(repository)?.tags.keys() ?? [])].sort(),
    repositories: () => [...store.repositories.keys()].sort(),
    uploadSessions: (repository) =>
      [...store.uploads.values()].filter(
        (s) => repository === undefined || s.repository === repository,
      ).length,
    get bytesUsed() {
      return store.used
    },
  }
}
