import { basicAuth } from '@wharf/auth'
import {
  type AuthStrategy,
  type ClientOptions,
  createHttpClient,
  type HttpClient,
  HttpError,
  type HttpResponse,
  ParseError,
  type RequestBody,
  type SearchParams,
} from '@wharf/core-http'
import * as archive from './archive.js'
import { type Channel, type CharmRef, parseChannel } from './channel.js'
import { CharmStoreArgumentError, CharmStoreError, charmStoreErrorParser } from './errors.js'
import * as metadata from './meta.js'
import type {
  DockerInfo,
  LogLevel,
  LogType,
  Resource,
  StatsUpdateRequest,
  WhoAmIResponse,
} from './params.js'
import * as pub from './publish.js'
import * as resources from './resources.js'
import type { CharmId, CharmURL } from './url.js'
import { VERSION } from './version.js'

/** The public charm store's API root (csclient's `ServerURL`). */
export const SERVER_URL = 'https://api.jujucharms.com/charmstore'

/** Header Juju uses to send metadata attributes (`environment_uuid=…`), one value per attribute. */
export const JUJU_METADATA_HTTP_HEADER = 'Juju-Metadata'

/** Default size from which resources are uploaded with the multipart protocol: 5 MiB. */
export const DEFAULT_MIN_MULTIPART_UPLOAD_SIZE = 5 * 1024 * 1024

/** Options of {@link createCharmStoreClient} (csclient's `Params`). */
export interface CharmStoreClientOptions {
  /** API root without `/v5` (default {@link SERVER_URL}). */
  url?: string
  /** Admin user name: sends basic credentials with every request. */
  user?: string
  password?: string
  /** Any other strategy, typically `bakeryAuth()` from @wharf/auth (used when `user` is unset). */
  auth?: AuthStrategy
  /** `User-Agent` (default `wharf-charmstore/<version>`). */
  userAgent?: string
  /** Channel sent with every request. */
  channel?: Channel
  /** Extra headers sent with every request (see {@link jujuMetadataHeaders}). */
  headers?: HeadersInit
  /** Resources at least this big use the multipart upload protocol (default 5 MiB). */
  minMultipartUploadSize?: number
  /** Passed to core-http: `fetch`, timeouts, retry policy, `debug` … */
  http?: Omit<Partial<ClientOptions>, 'baseUrl' | 'auth' | 'errorParser' | 'userAgent' | 'headers'>
}

/** Options of one raw request ({@link CharmStoreClient.do}). */
export interface DoOptions {
  method?: string
  /** Raw body; give `contentType` with it. */
  body?: RequestBody
  /** A value sent as JSON (`Content-Type: application/json`). */
  json?: unknown
  contentType?: string
  headers?: HeadersInit
  searchParams?: SearchParams
  /** Channel for this request only; overrides the client's. */
  channel?: Channel | undefined
  signal?: AbortSignal | undefined
  /** Never retry (for one-shot or engine-retried bodies). */
  failFast?: boolean
}

/** Options every call accepts. */
export interface CallOptions {
  signal?: AbortSignal | undefined
}

/** Builds the headers for Juju metadata attributes: one `Juju-Metadata: key=value` per attribute, sorted. */
export function jujuMetadataHeaders(attributes: Record<string, string>): Headers {
  const headers = new Headers()
  for (const key of Object.keys(attributes).sort()) {
    headers.append(JUJU_METADATA_HTTP_HEADER, `${key}=${attributes[key]}`)
  }
  return headers
}

interface Settings {
  http: HttpClient
  root: string
  headers: Headers
  statsDisabled: boolean
  minMultipartUploadSize: number
  hasAuth: boolean
}

/** A client of the charm store v5 API; create it with {@link createCharmStoreClient}. */
export class CharmStoreClient {
  readonly #settings: Settings
  readonly #channel: Channel | undefined

  /** @internal use {@link createCharmStoreClient} */
  constructor(settings: Settings, channel: Channel | undefined) {
    this.#settings = settings
    this.#channel = channel
  }

  /** The API root this client talks to (without `/v5`). */
  serverURL(): string {
    return this.#settings.root
  }

  /** The channel sent with every request, if any. */
  channel(): Channel | undefined {
    return this.#channel
  }

  /** A client sharing everything with this one but sending `channel` with every request. */
  withChannel(channel: Channel): CharmStoreClient {
    return new CharmStoreClient(this.#settings, parseChannel(channel))
  }

  /** Replaces the extra headers sent with every request (shared with `withChannel` clients). */
  setHTTPHeader(headers: HeadersInit): void {
    const next = new Headers(headers)
    for (const name of [...this.#settings.headers.keys()]) this.#settings.headers.delete(name)
    for (const [name, value] of next) this.#settings.headers.append(name, value)
  }

  /** Stops archive downloads from counting in the store's statistics (`stats=0`). */
  disableStats(): void {
    this.#settings.statsDisabled = true
  }

  /** True once {@link disableStats} was called. */
  statsDisabled(): boolean {
    return this.#settings.statsDisabled
  }

  /** Sets the resource size from which multipart uploads are used. */
  setMinMultipartUploadSize(size: number): void {
    if (!Number.isSafeInteger(size) || size < 1) {
      throw new CharmStoreArgumentError(
        `minimum multipart upload size must be a positive integer, got ${size}`,
      )
    }
    this.#settings.minMultipartUploadSize = size
  }

  /** The size from which resource uploads are multipart. */
  minMultipartUploadSize(): number {
    return this.#settings.minMultipartUploadSize
  }

  /** @internal true when an auth strategy other than basic credentials is configured. */
  hasAuth(): boolean {
    return this.#settings.hasAuth
  }

  /**
   * Sends a request to `<root>/v5<path>` (`path` starts with `/` and may carry a query) and
   * returns the response; any status but 200 is a CharmStoreError.
   */
  async do(path: string, options: DoOptions = {}): Promise<HttpResponse> {
    if (!path.startsWith('/'))
      throw new CharmStoreArgumentError(`path must start with "/": ${JSON.stringify(path)}`)
    const at = path.indexOf('?')
    const query = new URLSearchParams(at >= 0 ? path.slice(at + 1) : '')
    const extra = options.searchParams
    if (extra) {
      const entries = extra instanceof URLSearchParams ? [...extra] : Object.entries(extra)
      for (const [key, value] of entries) {
        if (value === undefined || value === null) continue
        for (const v of Array.isArray(value) ? value : [value]) query.append(key, String(v))
      }
    }
    const channel = options.channel ?? this.#channel
    if (channel) query.set('channel', channel)
    query.sort()
    const headers = new Headers(this.#settings.headers)
    // Bakery protocol 3, as httpbakery clients send: a discharge-required challenge then comes as
    // 401 + `WWW-Authenticate: Macaroon` (protocol 0 gets a 407, which Node's fetch cannot read).
    headers.set('bakery-protocol-version', '3')
    for (const [name, value] of new Headers(options.headers)) headers.set(name, value)
    if (options.contentType) headers.set('content-type', options.contentType)
    const response = await this.#settings.http.request(`v5${at >= 0 ? path.slice(0, at) : path}`, {
      method: options.method ?? 'GET',
      headers,
      searchParams: query,
      ...(options.body === undefined ? {} : { body: options.body }),
      ...(options.json === undefined ? {} : { json: options.json }),
      signal: options.signal,
      ...(options.failFast ? { failFast: true } : {}),
    })
    if (response.status !== 200) {
      await response.discard()
      throw new CharmStoreError({
        status: response.status,
        statusText: `${response.statusText} (only 200 is success)`,
        method: response.method,
        url: response.url,
        headers: response.headers,
      })
    }
    return response
  }

  /**
   * Sends `method path` with `value` as the JSON body (none when undefined) and parses the
   * JSON reply (undefined for an empty one).
   */
  async doWithResponse<T = unknown>(
    method: string,
    path: string,
    value?: unknown,
    options: CallOptions = {},
  ): Promise<T> {
    const response = await this.do(path, {
      method,
      ...(value === undefined ? {} : { json: value }),
      signal: options.signal,
    })
    return readJson<T>(response)
  }

  /** GETs `path` and parses the JSON reply. */
  get<T = unknown>(path: string, options: CallOptions = {}): Promise<T> {
    return this.doWithResponse<T>('GET', path, undefined, options)
  }

  /** PUTs `value` as JSON to `path`, ignoring the reply body. */
  async put(path: string, value: unknown, options: CallOptions = {}): Promise<void> {
    const response = await this.do(path, {
      method: 'PUT',
      json: value ?? null,
      signal: options.signal,
    })
    await response.discard()
  }

  /** PUTs `value` as JSON to `path` and parses the JSON reply. */
  putWithResponse<T = unknown>(
    path: string,
    value: unknown,
    options: CallOptions = {},
  ): Promise<T> {
    return this.doWithResponse<T>('PUT', path, value ?? null, options)
  }

  /**
   * Fetches meta items of an entity: `include` maps result fields to include names
   * (`{ archiveSize: true, digest: 'extra-info/digest' }`). Returns the resolved id.
   */
  meta<I extends metadata.MetaInclude>(
    id: CharmRef,
    include: I,
    options: CallOptions = {},
  ): Promise<metadata.MetaResponse<I>> {
    return metadata.meta(this, id, include, options)
  }

  /** Like {@link meta} with a channel for this lookup only. */
  async metaWithChannel<I extends metadata.MetaInclude>(
    id: CharmRef,
    include: I,
    channel: Channel,
    options: CallOptions = {},
  ): Promise<metadata.MetaResponse<I>> {
    return metadata.meta(this, id, include, { ...options, channel: parseChannel(channel) })
  }

  /** The newest revision of each id (their revisions are ignored), in order. */
  latest(ids: CharmId[], options: CallOptions = {}): Promise<metadata.CharmRevision[]> {
    return metadata.latest(this, ids, options)
  }

  /** Downloads an archive: a stream verified against the announced SHA-384 and size, the entity id, hash and size. */
  getArchive(id: CharmRef, options: CallOptions = {}): Promise<archive.ArchiveDownload> {
    return archive.getArchive(this, id, options)
  }

  /** Streams one file from inside an archive (`path` may not climb out with `..`). */
  getFileFromArchive(
    id: CharmRef,
    path: string,
    options: archive.ArchiveFileOptions = {},
  ): Promise<archive.ArchiveFile> {
    return archive.getFileFromArchive(this, id, path, options)
  }

  /** Uploads an archive: POST when `id` has no revision, PUT when it has. */
  uploadArchive(
    id: CharmId,
    body: archive.ArchiveSource,
    options: archive.UploadArchiveOptions = {},
  ): Promise<{ id: CharmURL; promulgatedId?: CharmURL }> {
    return archive.uploadArchive(this, id, body, options)
  }

  /** Uploads a charm archive (see `archiveFrom` in `/node` for directories) to an id without revision. */
  uploadCharm(
    id: CharmId,
    charm: archive.ArchiveSource,
    options: CallOptions = {},
  ): Promise<CharmURL> {
    return archive.uploadEntity(this, 'charm', id, charm, false, options)
  }

  /** Uploads a charm at the id's revision, optionally promulgated at `promulgatedRevision`. */
  uploadCharmWithRevision(
    id: CharmId,
    charm: archive.ArchiveSource,
    promulgatedRevision = -1,
    options: archive.UploadArchiveOptions = {},
  ): Promise<CharmURL> {
    return archive.uploadEntity(this, 'charm', id, charm, true, { ...options, promulgatedRevision })
  }

  /** Uploads a bundle archive to an id without revision. */
  uploadBundle(
    id: CharmId,
    bundle: archive.ArchiveSource,
    options: CallOptions = {},
  ): Promise<CharmURL> {
    return archive.uploadEntity(this, 'bundle', id, bundle, false, options)
  }

  /** Uploads a bundle at the id's revision, optionally promulgated at `promulgatedRevision`. */
  uploadBundleWithRevision(
    id: CharmId,
    bundle: archive.ArchiveSource,
    promulgatedRevision = -1,
    options: archive.UploadArchiveOptions = {},
  ): Promise<CharmURL> {
    return archive.uploadEntity(this, 'bundle', id, bundle, true, {
      ...options,
      promulgatedRevision,
    })
  }

  /** The resources of a charm as the channel sees them. */
  listResources(id: CharmRef, options: CallOptions = {}): Promise<Resource[]> {
    return resources.listResources(this, id, options)
  }

  /** One resource's metadata (`revision` < 0: the channel's). */
  resourceMeta(
    id: CharmRef,
    name: string,
    revision = -1,
    options: CallOptions = {},
  ): Promise<Resource> {
    return resources.resourceMeta(this, id, name, revision, options)
  }

  /** Downloads a resource, verified against its SHA-384 while streaming. */
  getResource(
    id: CharmRef,
    name: string,
    options: CallOptions & { revision?: number } = {},
  ): Promise<resources.ResourceData> {
    return resources.getResource(this, id, name, options)
  }

  /** Uploads a resource as its next revision; returns the revision. */
  uploadResource(
    id: CharmRef,
    name: string,
    options: resources.UploadResourceOptions,
  ): Promise<number> {
    return resources.uploadResource(this, id, name, undefined, options)
  }

  /** Uploads a resource at a given revision. */
  uploadResourceWithRevision(
    id: CharmRef,
    name: string,
    revision: number,
    options: resources.UploadResourceOptions,
  ): Promise<number> {
    return resources.uploadResource(this, id, name, revision, options)
  }

  /** Continues the multipart upload `uploadId` (UploadNotFoundError when the store lost it). */
  resumeUploadResource(
    uploadId: string,
    id: CharmRef,
    name: string,
    options: resources.UploadResourceOptions,
  ): Promise<number> {
    return resources.uploadResource(this, id, name, undefined, { ...options, uploadId })
  }

  /** {@link resumeUploadResource} at a given revision. */
  resumeUploadResourceWithRevision(
    uploadId: string,
    id: CharmRef,
    name: string,
    revision: number,
    options: resources.UploadResourceOptions,
  ): Promise<number> {
    return resources.uploadResource(this, id, name, revision, { ...options, uploadId })
  }

  /** Where and how to push a docker image for an `oci-image` resource. */
  dockerResourceUploadInfo(
    id: CharmRef,
    name: string,
    options: CallOptions = {},
  ): Promise<DockerInfo> {
    return resources.dockerResourceUploadInfo(this, id, name, options)
  }

  /** Where and how to pull a docker resource's image (`revision` < 0: the channel's). */
  dockerResourceDownloadInfo(
    id: CharmRef,
    name: string,
    revision = -1,
    options: CallOptions = {},
  ): Promise<DockerInfo> {
    return resources.dockerResourceDownloadInfo(this, id, name, revision, options)
  }

  /** Records a pushed image (or an external `imageName`) as the resource's next revision. */
  addDockerResource(
    id: CharmRef,
    name: string,
    image: { digest: string; imageName?: string },
    options: CallOptions = {},
  ): Promise<number> {
    return resources.addDockerResource(this, id, name, image, options)
  }

  /** Publishes an entity to channels with the given resource revisions. */
  publish(
    id: CharmRef,
    channels: Channel[],
    resourceRevisions: Record<string, number> = {},
    options: CallOptions = {},
  ): Promise<void> {
    return pub.publish(this, id, channels, resourceRevisions, options)
  }

  /** Sets extra-info keys of one revision (null deletes). */
  putExtraInfo(
    id: CharmRef,
    info: Record<string, unknown>,
    options: CallOptions = {},
  ): Promise<void> {
    return pub.putExtraInfo(this, id, info, options)
  }

  /** Sets common-info keys shared by all revisions (null deletes). */
  putCommonInfo(
    id: CharmRef,
    info: Record<string, unknown>,
    options: CallOptions = {},
  ): Promise<void> {
    return pub.putCommonInfo(this, id, info, options)
  }

  /** Sends a log entry (admin only). */
  log(
    type: LogType,
    level: LogLevel,
    message: string,
    urls: CharmId[] = [],
    options: CallOptions = {},
  ): Promise<void> {
    return pub.log(this, type, level, message, urls, options)
  }

  /** The authenticated user and groups. */
  whoAmI(options: CallOptions = {}): Promise<WhoAmIResponse> {
    return pub.whoAmI(this, options)
  }

  /** Runs the macaroon login now (the auth strategy keeps the credentials). */
  login(options: CallOptions = {}): Promise<void> {
    return pub.login(this, options)
  }

  /** Updates download statistics. */
  statsUpdate(request: StatsUpdateRequest, options: CallOptions = {}): Promise<void> {
    return pub.statsUpdate(this, request, options)
  }
}

/** Parses a JSON reply; a non-JSON media type is a ParseError, an empty body is undefined. */
export async function readJson<T>(response: HttpResponse): Promise<T> {
  const text = await response.text()
  if (text === '') return undefined as T
  const type = response.headers.get('content-type') ?? ''
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new ParseError(
      `${response.method} ${response.url}`,
      `unexpected content type ${JSON.stringify(type)}`,
    )
  }
  try {
    return JSON.parse(text) as T
  } catch (error) {
    throw new ParseError(`${response.method} ${response.url}`, 'invalid JSON', { cause: error })
  }
}

/** Creates a charm store client (csclient's `New`). */
export function createCharmStoreClient(options: CharmStoreClientOptions = {}): CharmStoreClient {
  const root = (options.url ?? SERVER_URL).replace(/\/+$/, '')
  const auth = options.user
    ? basicAuth({ username: options.user, password: options.password ?? '' })
    : options.auth
  const retry = options.http?.retry
  const http = createHttpClient({
    ...options.http,
    // The store uses 500 for deterministic failures (duplicate upload, hash mismatch): never retry it.
    retry: {
      statusCodes: [408, 429, 502, 503, 504],
      ...(typeof retry === 'number' ? { limit: retry } : retry),
    },
    baseUrl: `${root}/`,
    userAgent: options.userAgent ?? `wharf-charmstore/${VERSION}`,
    errorParser: charmStoreErrorParser,
    ...(auth ? { auth } : {}),
    hooks: {
      ...options.http?.hooks,
      onError: [
        ...(options.http?.hooks?.onError ?? []),
        (error) =>
          error instanceof HttpError && !(error instanceof CharmStoreError)
            ? CharmStoreError.from(error)
            : undefined,
      ],
    },
  })
  const client = new CharmStoreClient(
    {
      http,
      root,
      headers: new Headers(options.headers),
      statsDisabled: false,
      minMultipartUploadSize: DEFAULT_MIN_MULTIPART_UPLOAD_SIZE,
      hasAuth: !options.user && !!options.auth,
    },
    options.channel === undefined ? undefined : parseChannel(options.channel),
  )
  if (options.minMultipartUploadSize !== undefined) {
    client.setMinMultipartUploadSize(options.minMultipartUploadSize)
  }
  return client
}
