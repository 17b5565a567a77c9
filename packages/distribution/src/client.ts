import {
  type AuthStrategy,
  createHttpClient,
  type FetchLike,
  type HttpClient,
  type HttpResponse,
  type RequestOptions,
  type RetryOptions,
  WharfError,
} from '@wharf/core-http'
import { catalog } from './catalog.js'
import { NotOciError, registryErrorParser, type Subject, toRegistryError } from './errors.js'
import { checkRepository } from './reference.js'
import { Repository } from './repository.js'
import type { ListOptions } from './tags.js'
import { VERSION } from './version.js'

/** Options of {@link createRegistryClient}. */
export interface RegistryClientOptions {
  /** Registry host with optional port (`ghcr.io`, `127.0.0.1:5000`) or a base URL (`http://registry.mock`). */
  registry: string
  /** Authentication strategy, e.g. `registryTokenAuth()` or `basicAuth()` from `@wharf/auth`. */
  auth?: AuthStrategy
  /** Talk plain HTTP to a host given without a scheme (default https). */
  plainHttp?: boolean
  /** fetch implementation (for example `createNodeFetch()` from `@wharf/core-http/node`). */
  fetch?: FetchLike
  /** Extra options for fetch (an undici dispatcher). */
  fetchOptions?: Record<string, unknown>
  /** Retry policy for idempotent requests (default: core-http's). */
  retry?: RetryOptions
  /** Wait for response headers, ms. */
  timeout?: number | false
  /** Longest silence inside a body, ms. */
  idleTimeout?: number | false
  /** Aborts every request of this client. */
  signal?: AbortSignal
  /** Largest manifest read or pushed, bytes (default 4 MiB). */
  maxManifestSize?: number
  /** Largest JSON listing page (tags, catalog, referrers), bytes (default 4 MiB). */
  maxListSize?: number
  /** Most pages followed by one listing (default 1000). */
  maxPages?: number
  /** Receives one redacted line per request and response. */
  debug?: (line: string) => void
}

/** Options every registry call takes. */
export interface CallOptions {
  signal?: AbortSignal
}

/** What `ping()` learnt about the registry. */
export interface PingResult {
  /** 200: access without (more) credentials; 401: the registry wants credentials. */
  status: 200 | 401
  /** The `WWW-Authenticate` challenge of a 401. */
  challenge?: string
  /** The `Docker-Distribution-API-Version` header, when sent. */
  apiVersion?: string
}

/** Internal request options: the operation's auth scopes and what a 404 means. */
export interface SendOptions extends RequestOptions {
  scopes?: string[]
  subject?: Subject
}

/** A client for one OCI distribution registry. Create it with {@link createRegistryClient}. */
export class RegistryClient {
  /** The underlying core-http client. */
  readonly http: HttpClient
  /** Registry host (and port) as used in references and scopes. */
  readonly host: string
  /** Resolved limits. */
  readonly limits: { manifest: number; list: number; pages: number }

  constructor(options: RegistryClientOptions) {
    const given = String(options.registry ?? '')
    if (!given) throw new WharfError('ERR_INVALID_OPTIONS', 'registry is required')
    const baseUrl = given.includes('://')
      ? given
      : `${options.plainHttp ? 'http' : 'https'}://${given}`
    this.http = createHttpClient({
      baseUrl,
      userAgent: `wharf-distribution/${VERSION}`,
      errorParser: registryErrorParser,
      ...(options.auth ? { auth: options.auth } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.fetchOptions ? { fetchOptions: options.fetchOptions } : {}),
      ...(options.retry === undefined ? {} : { retry: options.retry }),
      ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
      ...(options.idleTimeout === undefined ? {} : { idleTimeout: options.idleTimeout }),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.debug ? { debug: options.debug } : {}),
    })
    this.host = this.http.baseUrl.host
    this.limits = {
      manifest: options.maxManifestSize ?? 4 * 1024 * 1024,
      list: options.maxListSize ?? 4 * 1024 * 1024,
      pages: options.maxPages ?? 1000,
    }
  }

  /** Sends a request with the operation's scopes; HTTP failures become typed registry errors. */
  async send(path: string | URL, options: SendOptions = {}): Promise<HttpResponse> {
    const { scopes, subject, ...rest } = options
    try {
      return await this.http.request(path, {
        ...rest,
        context: { ...(rest.context ?? {}), ...(scopes ? { scopes } : {}) },
      })
    } catch (error) {
      throw error instanceof WharfError ? toRegistryError(error, subject) : error
    }
  }

  /** `GET /v2/`: 200, or 401 with a challenge, means a registry; anything else is NotOciError. */
  async ping(options: CallOptions = {}): Promise<PingResult> {
    const response = await this.send('/v2/', {
      throwHttpErrors: false,
      ...(options.signal ? { signal: options.signal } : {}),
    })
    await response.discard()
    if (response.status !== 200 && response.status !== 401) {
      throw new NotOciError(this.http.baseUrl.origin, response.status)
    }
    const challenge = response.headers.get('www-authenticate')
    const apiVersion = response.headers.get('docker-distribution-api-version')
    return {
      status: response.status,
      ...(challenge ? { challenge } : {}),
      ...(apiVersion ? { apiVersion } : {}),
    }
  }

  /** Throws NotOciError unless the registry speaks the distribution API (the seed's `Verify`). */
  async verify(options: CallOptions = {}): Promise<void> {
    await this.ping(options)
  }

  /** A repository of this registry; the name is checked against the grammar. */
  repository(name: string): Repository {
    checkRepository(name)
    return new Repository(this, name)
  }

  /** The registry's repositories (`GET /v2/_catalog`), page by page. */
  catalog(options: ListOptions = {}): AsyncGenerator<string> {
    return catalog(this, options)
  }

  /** Releases the auth strategy's timers. */
  async close(): Promise<void> {
    await this.http.close()
  }
}

/** Creates a client for one registry. */
export function createRegistryClient(options: RegistryClientOptions): RegistryClient {
  return new RegistryClient(options)
}
