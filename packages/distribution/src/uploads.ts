import { scopeFor } from '@wharf/auth'
import { type HttpResponse, isHttpError, type RequestBody, WharfError } from '@wharf/core-http'
import {
  createHasher,
  DigestMismatchError,
  digestOf,
  type Hasher,
  hashStream,
  type ProgressListener,
  parseDigest,
  SizeMismatchError,
  type UploadSource,
} from '@wharf/transfer'
import { blobExists, getBlob } from './blobs.js'
import { bytesStream } from './bytes.js'
import type { CallOptions } from './client.js'
import { BlobUploadError } from './errors.js'
import { checkDigest, checkRepository } from './reference.js'
import type { RepositoryContext } from './repository.js'
import type { Descriptor } from './types.js'

/** Bytes to push: in memory, a Blob, a sized range-opening source (`fileSource`), or a one-shot stream. */
export type BlobSource = UploadSource | ReadableStream<Uint8Array>

/** Options of pushBlob. */
export interface PushBlobOptions extends CallOptions {
  /** The blob's digest when known: lets the push be skipped when the blob exists, and is checked. */
  digest?: string
  /** The blob's size when known (checked against the source). */
  size?: number
  /** Media type recorded in the returned descriptor (default `application/octet-stream`). */
  mediaType?: string
  /**
   * Blobs of known digest and size up to this go in one PUT, streamed (default 4 GiB: one
   * request per blob, as oras-go and containerd push); larger ones, and streams of unknown
   * digest, go in PATCH chunks that resume after a failure.
   */
  monolithicThreshold?: number
  /** Size of each PATCH chunk (default 32 MiB; raised to the registry's `OCI-Chunk-Min-Length`). */
  chunkSize?: number
  /** Try the single `POST ?digest=` upload first (a registry answering 202 gets the PUT). */
  singlePost?: boolean
  /**
   * Check a streamed source locally (default true): PATCH uploads hash it to catch a wrong
   * `digest` before the closing PUT, one-PUT uploads count its bytes against `size`. False
   * trusts the stream to check itself — copy() passes streams that verify their size and
   * digest as they are read — and the registry verifies the digest on the closing PUT anyway.
   */
  hash?: boolean
  /** Upload progress. */
  onProgress?: ProgressListener
}

/** The pushed blob and how it got there. */
export interface PushedBlob {
  descriptor: Descriptor
  /** `exists`: already there; `mounted`: cross-repository mount; otherwise the upload method. */
  method: 'exists' | 'mounted' | 'single-post' | 'monolithic' | 'chunked'
}

/** Default largest blob sent in one PUT (see `monolithicThreshold`). */
const MONOLITHIC_THRESHOLD = 4 * 1024 * 1024 * 1024
/** Largest Blob hashed before its push, so that it can go in one PUT (it is read twice). */
const HASH_FIRST_LIMIT = 32 * 1024 * 1024

/** A server-supplied URL was unusable (not http(s), or missing). */
export class UploadLocationError extends WharfError {
  constructor(message: string) {
    super('ERR_UPLOAD_LOCATION', message)
  }
}

/** Resolves a response's `Location` against its URL; only http(s) URLs are accepted. */
export function uploadLocation(response: HttpResponse): URL {
  const location = response.headers.get('location')
  if (!location)
    throw new UploadLocationError(
      `${response.method} ${response.url}: no Location in the ${response.status} answer`,
    )
  let url: URL
  try {
    url = new URL(location, response.url)
  } catch {
    throw new UploadLocationError(`${response.method} ${response.url}: invalid Location`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UploadLocationError(`refusing an upload Location with scheme ${url.protocol}`)
  }
  return url
}

/** Appends `digest=` to an upload URL verbatim (never rebuilding its other query parameters). */
function withDigest(location: URL, digest: string): URL {
  const url = new URL(location)
  url.search = `${url.search ? `${url.search}&` : '?'}digest=${encodeURIComponent(digest)}`
  return url
}

function sizeOf(source: BlobSource): number | undefined {
  if (source instanceof ReadableStream) return undefined
  return source instanceof Uint8Array ? source.byteLength : source.size
}

function openSource(source: BlobSource): ReadableStream<Uint8Array> {
  if (source instanceof ReadableStream) return source
  if (source instanceof Uint8Array) return bytesStream(source)
  if (source instanceof Blob) return source.stream()
  return source.open(0, source.size)
}

interface Session {
  repo: RepositoryContext
  location: URL
  scopes: string[]
  signal?: AbortSignal
  minChunk: number
}

/** POSTs to open an upload session (optionally a mount or a single-POST upload). */
async function startSession(
  repo: RepositoryContext,
  query: Record<string, string>,
  scopes: string[],
  options: CallOptions & { body?: Uint8Array },
): Promise<{ response: HttpResponse; session: Session }> {
  const response = await repo.client.send(`/v2/${repo.name}/blobs/uploads/`, {
    method: 'POST',
    searchParams: query,
    scopes,
    subject: 'upload',
    ...(options.body
      ? { body: options.body, headers: { 'content-type': 'application/octet-stream' } }
      : { headers: { 'content-length': '0' } }),
    ...(options.signal ? { signal: options.signal } : {}),
  })
  await response.discard()
  const minChunk = Number(response.headers.get('oci-chunk-min-length'))
  return {
    response,
    session: {
      repo,
      location: uploadLocation(response),
      scopes,
      ...(options.signal ? { signal: options.signal } : {}),
      minChunk: Number.isSafeInteger(minChunk) && minChunk > 0 ? minChunk : 0,
    },
  }
}

/** Cancels a session (DELETE on its Location); failures are ignored, servers time sessions out. */
async function cancelSession(session: Session): Promise<void> {
  try {
    const response = await session.repo.client.send(session.location, {
      method: 'DELETE',
      scopes: session.scopes,
      failFast: true,
      throwHttpErrors: false,
    })
    await response.discard()
  } catch {
    // best effort
  }
}

/** GET on the session's Location: the offset the registry holds (end of `Range` + 1). */
async function sessionOffset(session: Session): Promise<number> {
  const response = await session.repo.client.send(session.location, {
    scopes: session.scopes,
    subject: 'upload',
  })
  await response.discard()
  if (response.headers.get('location')) session.location = uploadLocation(response)
  const m = /^(?:bytes=)?(\d+)-(\d+)$/.exec(response.headers.get('range') ?? '')
  return m ? Number(m[2]) + 1 : 0
}

/**
 * A one-shot stream checked against its announced size: more or fewer bytes fail it with
 * SizeMismatchError, kept in `verdict` so the failed request can report it.
 */
function sizedStream(
  stream: ReadableStream<Uint8Array>,
  size: number,
): { stream: ReadableStream<Uint8Array>; verdict: () => SizeMismatchError | undefined } {
  let count = 0
  let verdict: SizeMismatchError | undefined
  const check = (controller: TransformStreamDefaultController<Uint8Array>, done: boolean) => {
    if (count > size || (done && count < size)) {
      verdict = new SizeMismatchError(size, count, 'blob source')
      controller.error(verdict)
    }
  }
  const counted = stream.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        count += chunk.byteLength
        check(controller, false)
        if (!verdict) controller.enqueue(chunk)
      },
      flush: (controller) => check(controller, true),
    }),
  )
  return { stream: counted, verdict: () => verdict }
}

/**
 * The body of a closing PUT: bytes, a one-shot stream (size-checked unless `verified`: a
 * stream that already checks its size and digest as it is read), or a replayable source.
 */
function putBody(source: BlobSource, size: number, verified: boolean) {
  if (source instanceof Uint8Array) return { body: source, verdict: () => undefined }
  if (verified && source instanceof ReadableStream) {
    // A verifying stream (transfer's verifyStream) settles `result`; its verdict, not the
    // broken request it caused, is what the caller needs to hear.
    let verdict: DigestMismatchError | SizeMismatchError | undefined
    ;(source as { result?: Promise<unknown> }).result?.catch((error: unknown) => {
      if (error instanceof DigestMismatchError || error instanceof SizeMismatchError) {
        verdict = error
      }
    })
    return { body: source, verdict: () => verdict }
  }
  if (source instanceof ReadableStream) {
    const { stream, verdict } = sizedStream(source, size)
    return { body: stream, verdict }
  }
  return { body: { size, open: () => openSource(source) }, verdict: () => undefined }
}

/** Closing PUT with `?digest=` and an optional body; checks the registry's digest answer. */
async function closeSession(
  session: Session,
  digest: string,
  content?: { source: BlobSource; size: number; verified: boolean },
): Promise<void> {
  const put = content && putBody(content.source, content.size, content.verified)
  let response: HttpResponse
  try {
    response = await session.repo.client.send(withDigest(session.location, digest), {
      method: 'PUT',
      scopes: session.scopes,
      subject: 'upload',
      ...(content && put
        ? {
            // Content-Length comes from the size even for a stream (so it is one request)
            headers: {
              'content-type': 'application/octet-stream',
              'content-length': String(content.size),
            },
            body: put.body,
          }
        : { headers: { 'content-length': '0' } }),
      ...(session.signal ? { signal: session.signal } : {}),
    })
  } catch (error) {
    throw put?.verdict() ?? error
  }
  await response.discard()
  const answered = response.headers.get('docker-content-digest')
  if (
    answered &&
    answered !== digest &&
    parseDigest(answered).algorithm === parseDigest(digest).algorithm
  ) {
    throw new DigestMismatchError(parseDigest(digest), parseDigest(answered), content?.size ?? 0)
  }
}

/** Cuts a stream into chunks of exactly `size` bytes (the last may be shorter); memory ≤ one chunk. */
async function* chunks(
  stream: ReadableStream<Uint8Array>,
  size: number,
): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader()
  let buffer = new Uint8Array(size)
  let filled = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      let offset = 0
      while (offset < value.byteLength) {
        const n = Math.min(size - filled, value.byteLength - offset)
        buffer.set(value.subarray(offset, offset + n), filled)
        filled += n
        offset += n
        if (filled === size) {
          yield buffer
          buffer = new Uint8Array(size)
          filled = 0
        }
      }
    }
    if (filled > 0) yield buffer.subarray(0, filled)
  } finally {
    reader.releaseLock()
  }
}

/**
 * PATCHes one chunk with `Content-Range`. After a failure it asks the session's status and
 * either accepts the chunk (the registry has it), resends it once (it does not), or fails.
 */
async function patchChunk(
  session: Session,
  body: RequestBody,
  start: number,
  size: number,
): Promise<void> {
  const end = start + size - 1
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await session.repo.client.send(session.location, {
        method: 'PATCH',
        headers: {
          'content-type': 'application/octet-stream',
          'content-range': `${start}-${end}`,
        },
        body,
        scopes: session.scopes,
        subject: 'upload',
        ...(session.signal ? { signal: session.signal } : {}),
      })
      await response.discard()
      session.location = uploadLocation(response)
      return
    } catch (error) {
      const recoverable =
        attempt === 0 &&
        !session.signal?.aborted &&
        (!isHttpError(error) || error.status === 416 || error.status >= 500)
      if (!recoverable) throw error
      const offset = await sessionOffset(session)
      if (offset === end + 1) return
      if (offset !== start) throw error
    }
  }
}

/** A chunk to PATCH: its offset, size and a body (replayable ranges of sized sources). */
interface Piece {
  start: number
  size: number
  body: RequestBody
}

/**
 * The chunks of a source. A sized source whose digest is known is sent as replayable byte
 * ranges read straight from it (the registry checks the digest); anything else is buffered
 * one chunk at a time and hashed on the way.
 */
async function* pieces(
  source: BlobSource,
  chunkSize: number,
  hasher: Hasher | undefined,
): AsyncGenerator<Piece> {
  if (!hasher && !(source instanceof ReadableStream) && !(source instanceof Uint8Array)) {
    // sized and range-openable: no buffering
    for (let start = 0; start < source.size; start += chunkSize) {
      const end = Math.min(source.size, start + chunkSize)
      const open = () =>
        source instanceof Blob ? source.slice(start, end).stream() : source.open(start, end)
      yield { start, size: end - start, body: { size: end - start, open } }
    }
    return
  }
  let start = 0
  for await (const chunk of chunks(openSource(source), chunkSize)) {
    hasher?.update(chunk)
    yield { start, size: chunk.byteLength, body: chunk }
    start += chunk.byteLength
  }
}

async function chunkedUpload(
  session: Session,
  source: BlobSource,
  options: PushBlobOptions,
): Promise<{ digest: string; size: number }> {
  const expected = options.digest ? parseDigest(options.digest) : undefined
  const sized = !(source instanceof ReadableStream) && !(source instanceof Uint8Array)
  const skip = expected && (sized || options.hash === false)
  const hasher = skip ? undefined : createHasher(expected?.algorithm ?? 'sha256')
  const chunkSize = Math.max(options.chunkSize ?? 32 * 1024 * 1024, session.minChunk, 1)
  const total = options.size ?? sizeOf(source)
  let offset = 0
  options.onProgress?.({ type: 'start', ...(total === undefined ? {} : { total }) })
  for await (const piece of pieces(source, chunkSize, hasher)) {
    await patchChunk(session, piece.body, piece.start, piece.size)
    offset += piece.size
    options.onProgress?.({
      type: 'progress',
      transferred: offset,
      ...(total === undefined ? {} : { total }),
    })
  }
  const digest = hasher?.digest()
  if (expected && digest && !expected.equals(digest)) {
    throw new DigestMismatchError(expected, digest, offset)
  }
  options.onProgress?.({ type: 'finalizing' })
  const final = digest?.toString() ?? options.digest!
  await closeSession(session, final)
  return { digest: final, size: offset }
}

/**
 * Uploads `source` through an open session: one streamed PUT when digest and size are known
 * and the size is within `monolithicThreshold` (the registry checks the digest on that PUT),
 * PATCH chunks otherwise.
 */
async function uploadThrough(
  session: Session,
  source: BlobSource,
  options: PushBlobOptions,
): Promise<{ digest: string; size: number; method: 'monolithic' | 'chunked' }> {
  try {
    const size = sizeOf(source) ?? options.size
    if (
      options.digest &&
      size !== undefined &&
      size <= (options.monolithicThreshold ?? MONOLITHIC_THRESHOLD)
    ) {
      options.onProgress?.({ type: 'start', total: size })
      await closeSession(session, options.digest, {
        source,
        size,
        verified: options.hash === false,
      })
      options.onProgress?.({ type: 'done', transferred: size })
      return { digest: options.digest, size, method: 'monolithic' }
    }
    const done = await chunkedUpload(session, source, options)
    options.onProgress?.({ type: 'done', transferred: done.size })
    return { digest: done.digest, size: done.size, method: 'chunked' }
  } catch (error) {
    await cancelSession(session)
    throw error
  }
}

/** Fills in the digest of an in-memory or Blob source so a small push can be monolithic. */
async function knownDigest(
  source: BlobSource,
  options: PushBlobOptions,
): Promise<string | undefined> {
  if (options.digest) {
    checkDigest(options.digest)
    parseDigest(options.digest)
    return options.digest
  }
  if (source instanceof Uint8Array) return digestOf(source).toString()
  const threshold = Math.min(options.monolithicThreshold ?? MONOLITHIC_THRESHOLD, HASH_FIRST_LIMIT)
  if (source instanceof Blob && source.size <= threshold) {
    return (await hashStream(source.stream())).digest.toString()
  }
  return undefined
}

/**
 * Pushes a blob: skipped when HEAD says it exists, one `PUT` (or a single `POST ?digest=`)
 * for small blobs, `PATCH` chunks for large or unsized ones, recovering from a failed chunk
 * with the upload status and cancelling the session on failure.
 */
export async function pushBlob(
  repo: RepositoryContext,
  source: BlobSource,
  options: PushBlobOptions = {},
): Promise<PushedBlob> {
  const size = sizeOf(source)
  if (options.size !== undefined && size !== undefined && options.size !== size) {
    throw new WharfError(
      'ERR_INVALID_OPTIONS',
      `size option is ${options.size} but the source has ${size} bytes`,
    )
  }
  const digest = await knownDigest(source, options)
  const mediaType = options.mediaType ?? 'application/octet-stream'
  const call = { ...options, ...(digest ? { digest } : {}) }
  if (digest && (await blobExists(repo, digest, options))) {
    if (source instanceof ReadableStream) await source.cancel().catch(() => {})
    return { descriptor: { mediaType, digest, size: size ?? -1 }, method: 'exists' }
  }
  const scopes = [repo.scope('pull', 'push')]
  const single = options.singlePost && digest && source instanceof Uint8Array
  // distribution-spec main: a non-sha256 digest is announced up front (registries that do
  // not know the parameter ignore it).
  const algorithm = digest ? parseDigest(digest).algorithm : 'sha256'
  const query = {
    ...(single ? { digest } : {}),
    ...(algorithm === 'sha256' ? {} : { 'digest-algorithm': algorithm }),
  }
  const { response, session } = await startSession(repo, query, scopes, {
    ...options,
    ...(single ? { body: source } : {}),
  })
  if (single && response.status === 201) {
    return { descriptor: { mediaType, digest, size: source.byteLength }, method: 'single-post' }
  }
  let done: Awaited<ReturnType<typeof uploadThrough>>
  try {
    done = await uploadThrough(session, source, call)
  } catch (error) {
    // A session the registry dropped (2.8 kills it with 404 BLOB_UPLOAD_INVALID when a
    // Location went stale after a lost answer): a source that can be read again restarts once.
    if (!(error instanceof BlobUploadError) || source instanceof ReadableStream) throw error
    const fresh = await startSession(repo, {}, scopes, options)
    done = await uploadThrough(fresh.session, source, call)
  }
  return { descriptor: { mediaType, digest: done.digest, size: done.size }, method: done.method }
}

/** Options of mountBlob. */
export interface MountBlobOptions extends PushBlobOptions {
  /** Bytes to upload when the registry does not mount (default: read them from `fromRepository`). */
  source?: BlobSource
}

/**
 * Mounts a blob from another repository of the same registry (`POST ?mount=&from=`). When
 * the registry answers 202 instead, the blob is uploaded through the session it opened,
 * from `options.source` or streamed from `fromRepository`.
 */
export async function mountBlob(
  repo: RepositoryContext,
  digest: string,
  fromRepository: string,
  options: MountBlobOptions = {},
): Promise<PushedBlob> {
  checkDigest(digest)
  checkRepository(fromRepository)
  const mediaType = options.mediaType ?? 'application/octet-stream'
  const scopes = [repo.scope('pull', 'push'), scopeFor(fromRepository, ['pull'])]
  const { response, session } = await startSession(
    repo,
    { mount: digest, from: fromRepository },
    scopes,
    options,
  )
  if (response.status === 201) {
    return { descriptor: { mediaType, digest, size: options.size ?? -1 }, method: 'mounted' }
  }
  let source = options.source
  if (!source) {
    try {
      source = await getBlob(
        { client: repo.client, name: fromRepository, scope: (...a) => scopeFor(fromRepository, a) },
        digest,
        {
          ...(options.size === undefined ? {} : { size: options.size }),
          ...(options.signal ? { signal: options.signal } : {}),
        },
      )
    } catch (error) {
      await cancelSession(session)
      throw error
    }
  }
  const done = await uploadThrough(session, source, { ...options, digest })
  return { descriptor: { mediaType, digest: done.digest, size: done.size }, method: done.method }
}
