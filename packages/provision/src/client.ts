import { SessionClosedError } from '@wharf/auth'
import type { HttpClient } from '@wharf/core-http'
import { createHttpClient, ParseError } from '@wharf/core-http'
import {
  type BlobSource,
  deleteBlob,
  file,
  getBlob,
  listBlobs,
  postBlob,
  uploadISOForBootEnv,
} from './blobs.js'
import { ModelError, ProvisionError } from './errors.js'
import { EventStream, type EventStreamOptions } from './events.js'
import { type FilterBuilder, filterQuery } from './filter.js'
import { appendJobLog, createJob, jobActions, jobLog } from './jobs.js'
import { requireKey } from './keys.js'
import type {
  BlobInfo,
  BootEnv,
  Content,
  ContentSummary,
  Index,
  Info,
  Job,
  JobAction,
  LogLine,
  ModelTypes,
  Prefix,
  ProvisionEvent,
} from './models.js'
import type { JsonPatch } from './patch.js'
import { apiPath } from './paths.js'
import { Req } from './request.js'
import {
  type Credentials,
  fixedToken,
  httpOptions,
  refreshingToken,
  type SessionOptions,
  type UserSessionOptions,
} from './session.js'

/** Options of {@link ProvisionClient.iterateModel}. */
export interface IterateOptions {
  /** Items per request (default 100). */
  pageSize?: number
  /** Requests at most (default 10 000). */
  maxPages?: number
  /** A filter without `limit`/`offset`: a builder or the seed's argument list. */
  filter?: FilterBuilder | string[]
  signal?: AbortSignal
}

function firstJsonValue(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    let depth = 0
    let inString = false
    for (let i = 0; i < text.length; i++) {
      const c = text[i]
      if (inString) {
        if (c === '\\') i++
        else if (c === '"') inString = false
      } else if (c === '"') inString = true
      else if (c === '{' || c === '[') depth++
      else if ((c === '}' || c === ']') && --depth === 0) return JSON.parse(text.slice(0, i + 1))
    }
    return JSON.parse(text)
  }
}

/**
 * A dr-provision API v3 client, made by {@link userSession} or {@link tokenSession}. Requests
 * go through {@link ProvisionClient.req}; the methods below cover the seed's `Client`.
 */
export class ProvisionClient {
  /** The server URL, e.g. `https://127.0.0.1:8092`. */
  readonly endpoint: string
  /** The user of a user session ("" for token sessions). */
  readonly username: string
  /** The core-http client underneath. */
  readonly http: HttpClient
  readonly #credentials: Credentials
  #closed = false
  #trace = ''
  #traceToken = ''

  /** @internal Use userSession/tokenSession. */
  constructor(
    endpoint: string,
    username: string,
    credentials: Credentials,
    options: SessionOptions,
  ) {
    this.endpoint = endpoint.replace(/\/+$/, '')
    this.username = username
    this.#credentials = credentials
    this.http = createHttpClient(httpOptions(this.endpoint, credentials.auth, options))
  }

  /** The current bearer token. */
  get token(): string {
    return this.#credentials.token
  }

  /** True after close(). */
  get closed(): boolean {
    return this.#closed
  }

  /** @internal Trace level copied into new requests. */
  get traceLevel(): string {
    return this.#trace
  }

  /** @internal Trace token copied into new requests. */
  get traceTokenValue(): string {
    return this.#traceToken
  }

  /** Server-side log level for every request of this client (`X-Log-Request`); "" for none. */
  trace(level: string): void {
    this.#trace = level
  }

  /** Token the server logs with every traced request (`X-Log-Token`). */
  traceToken(token: string): void {
    this.#traceToken = token
  }

  /** The absolute URL of `/api/v3/` plus the joined parts. */
  urlFor(...parts: string[]): URL {
    return new URL(apiPath(...parts), `${this.endpoint}/`)
  }

  /** Sets `Authorization: Bearer <token>` on headers that carry none (the seed's `Authorize`). */
  authorize(headers: Headers): Headers {
    if (this.#closed) throw new SessionClosedError()
    if (!headers.has('authorization')) headers.set('authorization', `Bearer ${this.token}`)
    return headers
  }

  /** A new request (GET by default) with this client's trace settings. */
  req(): Req {
    return new Req(this)
  }

  /** Stops the token refresher; every later call fails with ERR_SESSION_CLOSED. */
  close(): void {
    this.#closed = true
    this.#credentials.close()
  }

  /** Opens the websocket event stream (`/api/v3/ws` with the current token). */
  events(options: EventStreamOptions = {}): Promise<EventStream> {
    return EventStream.open(this, options)
  }

  /** `GET /info`. */
  info(): Promise<Info> {
    return this.req().urlFor('info').do<Info>()
  }

  /** `GET /logs`: the server's buffered log lines, oldest first. */
  logs(): Promise<LogLine[]> {
    return this.req().urlFor('logs').do<LogLine[]>()
  }

  /** `POST /events`: publishes an event to every websocket listener. */
  async postEvent(event: ProvisionEvent): Promise<void> {
    await this.req().post(event).urlFor('events').do()
  }

  /** One object by key or unique index (`Name:foo`); `params` are query pairs. */
  getModel<P extends Prefix>(prefix: P, key: string, ...params: string[]): Promise<ModelTypes[P]> {
    return this.req()
      .urlFor(prefix, key)
      .params(...params)
      .do<ModelTypes[P]>()
  }

  /** One object plus a deep copy to edit and hand to {@link patchTo}. */
  async getModelForPatch<P extends Prefix>(
    prefix: P,
    key: string,
    ...params: string[]
  ): Promise<[ModelTypes[P], ModelTypes[P]]> {
    const old = await this.getModel(prefix, key, ...params)
    return [old, structuredClone(old)]
  }

  /** Every object of a collection; `params` are query pairs (`'Runnable', 'true'`). */
  listModel<P extends Prefix>(prefix: P, ...params: string[]): Promise<Array<ModelTypes[P]>> {
    return this.req()
      .urlFor(prefix)
      .params(...params)
      .do<Array<ModelTypes[P]>>()
  }

  /** A filtered list in the seed's filter grammar, or from a typed builder. */
  filter<P extends Prefix>(
    prefix: P,
    ...args: string[] | [FilterBuilder]
  ): Promise<Array<ModelTypes[P]>> {
    const list = typeof args[0] === 'object' ? args[0].args() : (args as string[])
    return this.req()
      .filter(prefix, ...list)
      .do<Array<ModelTypes[P]>>()
  }

  /** Lists a collection page by page with `offset`/`limit`. */
  async *iterateModel<P extends Prefix>(
    prefix: P,
    options: IterateOptions = {},
  ): AsyncGenerator<ModelTypes[P]> {
    const size = options.pageSize ?? 100
    const maxPages = options.maxPages ?? 10_000
    if (!Number.isInteger(size) || size < 1)
      throw new ModelError(`pageSize must be a positive integer`)
    const base = Array.isArray(options.filter) ? options.filter : (options.filter?.args() ?? [])
    const query = filterQuery(...base)
    if (query.has('limit') || query.has('offset')) {
      throw new ModelError(
        'iterateModel pages with limit/offset itself: leave them out of the filter',
      )
    }
    for (let page = 0; page < maxPages; page++) {
      const r = this.req().filter(
        prefix,
        ...base,
        'offset',
        String(page * size),
        'limit',
        String(size),
      )
      if (options.signal) r.signal(options.signal)
      const items = (await r.do<Array<ModelTypes[P]>>()) ?? []
      if (!Array.isArray(items)) {
        throw new ParseError(`GET ${apiPath(prefix)} (page ${page + 1})`, 'expected a JSON array')
      }
      yield* items
      if (items.length < size) return
    }
    throw new ModelError(`${prefix}: more than ${maxPages} pages`)
  }

  /** `HEAD /{prefix}/{key}`: false for 404, other errors propagate. */
  async existsModel(prefix: Prefix, key: string): Promise<boolean> {
    try {
      await this.req().head().urlFor(prefix, key).do()
      return true
    } catch (error) {
      if (error instanceof ProvisionError && error.status === 404) return false
      throw error
    }
  }

  /** Replaces the contents of `ref` with the server's object `prefix/key`; returns `ref`. */
  async fillModel<P extends Prefix>(
    prefix: P,
    ref: ModelTypes[P],
    key: string,
  ): Promise<ModelTypes[P]> {
    if (!key) throw new ModelError(`${prefix}: fillModel needs a key`)
    const fresh = await this.getModel(prefix, key)
    for (const k of Object.keys(ref)) delete (ref as Record<string, unknown>)[k]
    return Object.assign(ref, fresh)
  }

  /** `POST /{prefix}`: creates the object and returns it as the server stored it. */
  createModel<P extends Prefix>(prefix: P, object: ModelTypes[P]): Promise<ModelTypes[P]> {
    return this.req().post(object).urlFor(prefix).do<ModelTypes[P]>()
  }

  /** `PUT /{prefix}/{key}`: replaces the whole object (no conflict detection). */
  putModel<P extends Prefix>(prefix: P, object: ModelTypes[P]): Promise<ModelTypes[P]> {
    return this.req().put(object).urlFor(prefix, requireKey(prefix, object)).do<ModelTypes[P]>()
  }

  /** `PATCH /{prefix}/{key}` with an RFC 6902 patch; a failed `test` is a PatchConflictError. */
  patchModel<P extends Prefix>(prefix: P, key: string, patch: JsonPatch): Promise<ModelTypes[P]> {
    return this.req().patch(patch).urlFor(prefix, key).do<ModelTypes[P]>()
  }

  /** Patches `old` into `next` with a generated patch testing every changed field. */
  patchTo<P extends Prefix>(
    prefix: P,
    old: ModelTypes[P],
    next: ModelTypes[P],
  ): Promise<ModelTypes[P]> {
    return this.patchToFull(prefix, old, next, false)
  }

  /** Like patchTo; `paranoid` tests the whole old object so any concurrent change is rejected. */
  patchToFull<P extends Prefix>(
    prefix: P,
    old: ModelTypes[P],
    next: ModelTypes[P],
    paranoid: boolean,
  ): Promise<ModelTypes[P]> {
    return this.req().patchToFull(prefix, old, next, paranoid)
  }

  /** `DELETE /{prefix}/{key}`: returns the deleted object. */
  deleteModel<P extends Prefix>(prefix: P, key: string): Promise<ModelTypes[P]> {
    return this.req().del().urlFor(prefix, key).do<ModelTypes[P]>()
  }

  /** `GET /indexes`: the static indexes of every model type. */
  allIndexes(): Promise<Record<string, Record<string, Index>>> {
    return this.req().urlFor('indexes').do()
  }

  /** `GET /indexes/{prefix}`. */
  indexes(prefix: Prefix): Promise<Record<string, Index>> {
    return this.req().urlFor('indexes', prefix).do()
  }

  /** `GET /indexes/{prefix}/{name}` (machines also answer for param names); reads the first JSON value. */
  async oneIndex(prefix: Prefix, name: string): Promise<Index> {
    const response = await this.req().urlFor('indexes', prefix, name).send()
    const text = await response.text()
    try {
      return firstJsonValue(text) as Index
    } catch (error) {
      throw new ParseError(`${response.method} ${response.url}`, 'response is not valid JSON', {
        cause: error,
      })
    }
  }

  /** `GET /{at}?params`: blob names (`listBlobs('files', 'path', '/dir')`, `listBlobs('isos')`). */
  listBlobs(at: string, ...params: string[]): Promise<string[]> {
    return listBlobs(this, at, params)
  }

  /** Streams the blob at `/{at…}` into `dest`. */
  getBlob(dest: WritableStream<Uint8Array>, ...at: string[]): Promise<void> {
    return getBlob(this, dest, at)
  }

  /** Uploads a blob to `/{at…}` (streams are sent as they are read, never buffered). */
  postBlob(source: BlobSource, ...at: string[]): Promise<BlobInfo> {
    return postBlob(this, source, at)
  }

  /** Deletes the blob at `/{at…}`. */
  deleteBlob(...at: string[]): Promise<void> {
    return deleteBlob(this, at)
  }

  /** `GET /files/{parts…}` as a stream. */
  file(...parts: string[]): Promise<ReadableStream<Uint8Array>> {
    return file(this, parts)
  }

  /** `POST /jobs`: the next job of a machine (201 new, 202 incomplete again, undefined for 204). */
  createJob(machine: string): Promise<Job | undefined> {
    return createJob(this, machine)
  }

  /** Streams a job's log into `dest`. */
  jobLog(job: Job | string, dest: WritableStream<Uint8Array>): Promise<void> {
    return jobLog(this, job, dest)
  }

  /** Appends bytes to a job's log (`PUT /jobs/{id}/log`, octet-stream). */
  appendJobLog(job: Job | string, data: Uint8Array | string): Promise<void> {
    return appendJobLog(this, job, data)
  }

  /** The task templates a job should write or run, filtered for `targetOS` when given. */
  jobActions(job: Job | string, targetOS?: string): Promise<JobAction[]> {
    return jobActions(this, job, targetOS)
  }

  /** `GET /contents`: one summary per content layer. */
  getContentSummary(): Promise<ContentSummary[]> {
    return this.req().urlFor('contents').do<ContentSummary[]>()
  }

  /** `GET /contents/{name}`: a whole bundle with its sections. */
  getContentItem(name: string): Promise<Content> {
    return this.req().urlFor('contents', name).do<Content>()
  }

  /** `POST /contents`: installs a new bundle (its objects become read-only). */
  createContent(content: Content): Promise<ContentSummary> {
    return this.req().post(content).urlFor('contents').do<ContentSummary>()
  }

  /** `PUT /contents/{meta.Name}`: replaces a bundle. */
  replaceContent(content: Content): Promise<ContentSummary> {
    const name = content?.meta?.Name
    if (!name) return Promise.reject(new ModelError('contents: the bundle has no meta.Name'))
    return this.req().put(content).urlFor('contents', name).do<ContentSummary>()
  }

  /** `DELETE /contents/{name}`: removes a bundle and its objects. */
  async deleteContent(name: string): Promise<void> {
    await this.req().del().urlFor('contents', name).do()
  }

  /** Uploads the ISO of a bootenv (verified against `OS.IsoSha256` when set). */
  uploadISOForBootEnv(env: BootEnv, source: BlobSource, dest?: string): Promise<BlobInfo> {
    return uploadISOForBootEnv(this, env, source, dest)
  }
}

/**
 * Logs in with basic auth once to get a token (600 s), refreshes it every 300 s in the
 * background, and returns a client using it. `close()` stops the refresher.
 */
export async function userSession(
  endpoint: string,
  username: string,
  password: string,
  options: UserSessionOptions = {},
): Promise<ProvisionClient> {
  const credentials = await refreshingToken(
    endpoint.replace(/\/+$/, ''),
    username,
    password,
    options,
  )
  return new ProvisionClient(endpoint, username, credentials, options)
}

/** A client using a fixed bearer token; no request is made until you call something. */
export function tokenSession(
  endpoint: string,
  token: string,
  options: SessionOptions = {},
): ProvisionClient {
  return new ProvisionClient(endpoint, '', fixedToken(token, options), options)
}
