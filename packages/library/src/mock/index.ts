import { type FetchHandler, mswHandlers } from '@wharf/core-http/mock'
import type { LoggedRequest, MockContext, MockFaults, MockSettings } from './context.js'
import { download } from './downloads.js'
import { fail, ok, Reply } from './http.js'
import { records, search, tags } from './records.js'
import { MockStore } from './state.js'
import { storage } from './storage.js'
import { uploads } from './uploads.js'

export type { LoggedRequest, MockFaults } from './context.js'
export type {
  MockCollection,
  MockContainer,
  MockEntity,
  MockImage,
  MockStore,
  MockUpload,
} from './state.js'

/** How the mock library behaves. */
export interface MockLibraryOptions {
  /** Origin of the library API for msw (default `http://library.test`). */
  url?: string
  /** Origin of the object store that presigned URLs point at (default `http://storage.test`). */
  storageUrl?: string
  /** `apiVersion` reported by `GET version` (default `2.0.0-alpha.2`); null answers 404. */
  apiVersion?: string | null
  /** Bearer tokens accepted; when set, every request but `version` needs one. */
  tokens?: string[]
  /** With `tokens`, let GET requests without a token through (public images). */
  publicRead?: boolean
  /** Offer v2 multipart uploads (default true); false answers 404 to `_multipart`. */
  multipart?: boolean
  /** Part size the server chooses for multipart uploads (default 64 MiB). */
  partSize?: number
  /** `options.s3compliant` of multipart uploads (default `"true"`); null leaves it out. */
  s3compliant?: string | null
  /** Single presigned PUTs sign `x-amz-content-sha256` (default true). */
  signedHeaders?: boolean
  /** `redirect` (default): 303 to the storage origin; `stream`: 200 with the file. */
  downloads?: 'redirect' | 'stream'
  /** Storage quota of each entity in bytes (default 1 TiB). */
  quota?: number
  /** Entity and collection that short references (`alpine`, `coll/alpine`) map to. */
  defaultEntity?: string
  defaultCollection?: string
}

/** A running mock: its two origins and how to stop it. */
export interface ListeningLibrary {
  url: string
  storageUrl: string
  close(): Promise<void>
}

/** An in-memory Sylabs Cloud Library with a separate object-store origin. */
export interface MockLibrary {
  /** The library origin (changes to the real server's after `listen`). */
  readonly url: string
  /** The storage origin presigned URLs point at. */
  readonly storageUrl: string
  /** Answers one library API request. */
  handle: FetchHandler
  /** Answers one request to the storage origin. */
  handleStorage: FetchHandler
  /** msw handlers for both origins. */
  handlers(): ReturnType<typeof mswHandlers>
  /** Serves both origins with real HTTP (127.0.0.1 and free ports unless given). */
  listen(options?: {
    port?: number
    storagePort?: number
    host?: string
  }): Promise<ListeningLibrary>
  /** Faults to inject, mutable at run time. */
  faults: MockFaults
  /** Every request received, in order. */
  requests: LoggedRequest[]
  /** The records, tags, files and pending uploads. */
  state: MockStore
}

function log(requests: LoggedRequest[], origin: LoggedRequest['origin'], request: Request) {
  const url = new URL(request.url)
  requests.push({
    origin,
    method: request.method,
    path: url.pathname + url.search,
    headers: Object.fromEntries(request.headers),
  })
}

async function route(ctx: MockContext, request: Request, url: URL): Promise<Response> {
  const path = url.pathname.split('/').filter(Boolean).map(decodeURIComponent)
  const [version, kind, ...rest] = path
  const method = request.method
  if (version === 'v1' && kind === 'oci-redirect')
    return fail(404, 'direct OCI access is not offered')
  if (version === 'v1' && kind === 'search' && method === 'GET') return search(ctx, url)
  if (version === 'v1' && kind === 'imagefile' && method === 'GET' && rest.length) {
    return download(ctx, request, rest.join('/'), url)
  }
  if ((version === 'v1' || version === 'v2') && kind === 'imagefile' && rest.length >= 1) {
    return uploads(ctx, request, version, rest[0]!, rest[1])
  }
  if ((version === 'v1' || version === 'v2') && kind === 'tags' && rest.length === 1) {
    return tags(ctx, request, version, rest[0]!)
  }
  if (version === 'v1' && kind !== undefined) {
    const answer = await records(ctx, request, [kind, ...rest], url)
    if (answer) return answer
  }
  return fail(404, `no route for ${method} ${url.pathname}`)
}

/** Creates an in-memory library server (see {@link MockLibraryOptions}). */
export function createMockLibrary(options: MockLibraryOptions = {}): MockLibrary {
  const settings: MockSettings = {
    apiVersion: options.apiVersion === undefined ? '2.0.0-alpha.2' : options.apiVersion,
    multipart: options.multipart ?? true,
    partSize: options.partSize ?? 64 * 1024 * 1024,
    s3compliant: options.s3compliant === undefined ? 'true' : options.s3compliant,
    signedHeaders: options.signedHeaders ?? true,
    downloads: options.downloads ?? 'redirect',
  }
  const urls = {
    library: (options.url ?? 'http://library.test').replace(/\/+$/, ''),
    storage: (options.storageUrl ?? 'http://storage.test').replace(/\/+$/, ''),
  }
  const state = new MockStore({
    quota: options.quota ?? 2 ** 40,
    entity: options.defaultEntity ?? 'default',
    collection: options.defaultCollection ?? 'default',
  })
  const faults: MockFaults = {}
  const requests: LoggedRequest[] = []
  const ctx: MockContext = { store: state, faults, settings, storageUrl: () => urls.storage }
  const tokens = options.tokens

  const handle: FetchHandler = async (request) => {
    log(requests, 'library', request)
    const url = new URL(request.url)
    try {
      const rule = faults.failNext
      if (rule && rule.count > 0 && (!rule.paths || rule.paths.test(url.pathname))) {
        if (--rule.count <= 0) faults.failNext = undefined
        return fail(rule.status, 'injected failure')
      }
      if (url.pathname.replace(/\/+$/, '') === '/version' && request.method === 'GET') {
        if (settings.apiVersion === null) return fail(404, 'Not found')
        return ok({ version: 'v1.0.0', apiVersion: settings.apiVersion })
      }
      if (tokens) {
        const given = /^Bearer (.+)$/i.exec(request.headers.get('authorization') ?? '')?.[1]
        const anonymousRead = given === undefined && options.publicRead && request.method === 'GET'
        if (!anonymousRead && (given === undefined || !tokens.includes(given))) {
          return fail(401, given === undefined ? 'Authentication required' : 'Invalid token')
        }
      }
      return await route(ctx, request, url)
    } catch (error) {
      if (error instanceof Reply) return error.response
      if (error instanceof URIError) return fail(400, 'malformed percent-encoding in path')
      throw error
    }
  }

  const handleStorage: FetchHandler = (request) => {
    log(requests, 'storage', request)
    return storage(ctx, request, new URL(request.url))
  }

  return {
    get url() {
      return urls.library
    },
    get storageUrl() {
      return urls.storage
    },
    handle,
    handleStorage,
    handlers: () => [
      ...mswHandlers(handle, urls.library),
      ...mswHandlers(handleStorage, urls.storage),
    ],
    async listen(options = {}) {
      const { serve } = await import('@wharf/core-http/node')
      const host = options.host ?? '127.0.0.1'
      const store = await serve(handleStorage, { port: options.storagePort ?? 0, host })
      const library = await serve(handle, { port: options.port ?? 0, host }).catch(
        async (error) => {
          await store.close()
          throw error
        },
      )
      urls.library = library.url
      urls.storage = store.url
      return {
        url: library.url,
        storageUrl: store.url,
        close: async () => {
          await Promise.all([library.close(), store.close()])
        },
      }
    },
    faults,
    requests,
    state,
  }
}
