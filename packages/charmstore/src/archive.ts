import { BodyTooLargeError, type RequestBody, replayableBody } from '@wharf/core-http'
import { digestOf, hashStream, verifyingStream } from '@wharf/transfer'
import { type Channel, type CharmRef, parseChannel, resolveRef } from './channel.js'
import type { CallOptions, CharmStoreClient } from './client.js'
import { CharmStoreArgumentError, CharmStoreProtocolError } from './errors.js'
import { type CharmId, type CharmURL, parseCharmURL, toCharmURL } from './url.js'
import { InvalidArchiveError, listArchive, safeArchivePath } from './zip.js'

const SHA384_HEX = /^[0-9a-f]{96}$/

/** A downloaded archive: `body` fails with DigestMismatchError/SizeMismatchError if the bytes are wrong. */
export interface ArchiveDownload {
  body: ReadableStream<Uint8Array>
  /** The fully qualified id of the entity served. */
  id: CharmURL
  /** Hex SHA-384 announced by the store and checked while streaming. */
  hash: string
  size: number
}

function contentLength(headers: Headers, what: string): number {
  const text = headers.get('content-length')
  const size = Number(text)
  if (text === null || !/^\d+$/.test(text) || !Number.isSafeInteger(size)) {
    throw new CharmStoreProtocolError(`${what}: no valid Content-Length in the response`)
  }
  return size
}

/** The announced SHA-384 of a response, validated. */
export function contentSha384(headers: Headers, what: string): string {
  const hash = headers.get('content-sha384')
  if (!hash || !SHA384_HEX.test(hash)) {
    throw new CharmStoreProtocolError(
      `${what}: missing or invalid Content-Sha384 header ${JSON.stringify(hash)}`,
    )
  }
  return hash
}

/** The response body piped through a SHA-384 and size check. */
export function verifiedBody(
  body: ReadableStream<Uint8Array> | null,
  hash: string,
  size: number,
): ReadableStream<Uint8Array> {
  const check = verifyingStream({ expected: `sha384:${hash}`, size })
  return (body ?? new Blob([]).stream()).pipeThrough(check)
}

/** `GET /<id>/archive`: see {@link CharmStoreClient.getArchive}. */
export async function getArchive(
  client: CharmStoreClient,
  ref: CharmRef,
  options: CallOptions = {},
): Promise<ArchiveDownload> {
  const { id, channel } = resolveRef(ref)
  const what = `archive of ${id}`
  const response = await client.do(`/${id.path()}/archive`, {
    ...(client.statsDisabled() ? { searchParams: { stats: '0' } } : {}),
    channel,
    signal: options.signal,
  })
  try {
    const entityId = response.headers.get('entity-id')
    let eid: CharmURL
    try {
      eid = parseCharmURL(entityId ?? '')
    } catch (error) {
      throw new CharmStoreProtocolError(
        `${what}: invalid Entity-Id header ${JSON.stringify(entityId)}`,
        { cause: error },
      )
    }
    if (eid.revision < 0)
      throw new CharmStoreProtocolError(`${what}: Entity-Id ${eid} has no revision`)
    const hash = contentSha384(response.headers, what)
    const size = contentLength(response.headers, what)
    return { body: verifiedBody(response.body, hash, size), id: eid, hash, size }
  } catch (error) {
    await response.discard()
    throw error
  }
}

/** Options of {@link getFileFromArchive}. */
export interface ArchiveFileOptions extends CallOptions {
  /** Largest file accepted, in bytes (default 64 MiB). */
  limit?: number
}

/** One file served from inside an archive. */
export interface ArchiveFile {
  /** Fails with SizeMismatchError when the store sends more or fewer bytes than announced. */
  body: ReadableStream<Uint8Array>
  size: number
  contentType: string
}

/** `GET /<id>/archive/<path>`: see {@link CharmStoreClient.getFileFromArchive}. */
export async function getFileFromArchive(
  client: CharmStoreClient,
  ref: CharmRef,
  filename: string,
  options: ArchiveFileOptions = {},
): Promise<ArchiveFile> {
  const { id, channel } = resolveRef(ref)
  const path = safeArchivePath(filename)
  if (path === undefined) {
    throw new InvalidArchiveError(
      `invalid path inside an archive: ${JSON.stringify(String(filename).slice(0, 200))}`,
    )
  }
  const limit = options.limit ?? 64 << 20
  const encoded = path.split('/').map(encodeURIComponent).join('/')
  const response = await client.do(`/${id.path()}/archive/${encoded}`, {
    ...(client.statsDisabled() ? { searchParams: { stats: '0' } } : {}),
    channel,
    signal: options.signal,
  })
  const what = `${path} in the archive of ${id}`
  try {
    const size = contentLength(response.headers, what)
    if (size > limit) throw new BodyTooLargeError(what, limit)
    const body = (response.body ?? new Blob([]).stream()).pipeThrough(verifyingStream({ size }))
    return {
      body,
      size,
      contentType: response.headers.get('content-type') ?? 'application/octet-stream',
    }
  } catch (error) {
    await response.discard()
    throw error
  }
}

/** An archive to upload: bytes, or a Blob (hashed by streaming when no hash is given). */
export type ArchiveSource = Uint8Array | Blob

/** Options of {@link uploadArchive}. */
export interface UploadArchiveOptions extends CallOptions {
  /** Hex SHA-384 of the archive; computed when absent. */
  hash?: string
  /** For PUT uploads: the promulgated revision to give the entity (-1: none). */
  promulgatedRevision?: number
  /** For PUT uploads: channels the new revision is published in. */
  channels?: Channel[]
}

async function sha384Of(archive: ArchiveSource): Promise<string> {
  if (archive instanceof Uint8Array) return digestOf(archive, 'sha384').hex
  return (await hashStream(archive.stream(), 'sha384')).digest.hex
}

/**
 * `POST /<id>/archive` (no revision: the store picks one) or `PUT /<id-rev>/archive`
 * (revision given). Logs in first when a bakery strategy is configured.
 */
export async function uploadArchive(
  client: CharmStoreClient,
  ref: CharmId,
  archive: ArchiveSource,
  options: UploadArchiveOptions = {},
): Promise<{ id: CharmURL; promulgatedId?: CharmURL }> {
  const id = toCharmURL(ref)
  if (!(archive instanceof Uint8Array) && !(archive instanceof Blob)) {
    throw new CharmStoreArgumentError('archive must be a Uint8Array or a Blob')
  }
  const hash = options.hash ?? (await sha384Of(archive))
  if (!SHA384_HEX.test(hash))
    throw new CharmStoreArgumentError(
      `hash must be 96 lowercase hex characters, got ${JSON.stringify(hash)}`,
    )
  const promulgated = options.promulgatedRevision ?? -1
  if (id.revision < 0 && (promulgated >= 0 || options.channels?.length)) {
    throw new CharmStoreArgumentError(
      'promulgatedRevision and channels need an id with a revision (PUT upload)',
    )
  }
  const search: Record<string, string | string[]> = { hash }
  if (promulgated >= 0) search.promulgated = id.withUser('').withRevision(promulgated).path()
  if (options.channels?.length) search.channel = options.channels.map((c) => parseChannel(c))
  if (client.hasAuth()) await client.login(options)
  const body: RequestBody =
    archive instanceof Uint8Array ? archive : replayableBody(() => archive.stream(), archive.size)
  const response = await client.do(`/${id.path()}/archive`, {
    method: id.revision < 0 ? 'POST' : 'PUT',
    body,
    contentType: 'application/zip',
    searchParams: search,
    signal: options.signal,
  })
  const result = (await response.json()) as { Id?: unknown; PromulgatedId?: unknown } | null
  const parse = (text: unknown) => {
    try {
      return parseCharmURL(text as string)
    } catch (error) {
      throw new CharmStoreProtocolError(
        `upload of ${id}: invalid id ${JSON.stringify(text)} in the reply`,
        { cause: error },
      )
    }
  }
  return {
    id: parse(result?.Id),
    ...(result?.PromulgatedId ? { promulgatedId: parse(result.PromulgatedId) } : {}),
  }
}

/** Largest archive whose contents are checked before an upload (read whole into memory). */
const MAX_ARCHIVE_CHECK = 1 << 30

/** What an archive must contain to be a charm or a bundle. */
const REQUIRED = { charm: ['metadata.yaml'], bundle: ['bundle.yaml', 'README.md'] } as const

/** Checks an archive holds a charm's or a bundle's required files (InvalidArchiveError otherwise). */
export async function checkArchiveKind(
  archive: ArchiveSource,
  kind: 'charm' | 'bundle',
): Promise<void> {
  const size = archive instanceof Uint8Array ? archive.byteLength : archive.size
  if (size > MAX_ARCHIVE_CHECK) {
    throw new InvalidArchiveError(
      `archive of ${size} bytes is over the limit of ${MAX_ARCHIVE_CHECK}`,
    )
  }
  const bytes =
    archive instanceof Uint8Array ? archive : new Uint8Array(await archive.arrayBuffer())
  const names = new Set(listArchive(bytes))
  const missing = REQUIRED[kind].filter((f) => !names.has(f))
  if (missing.length) {
    throw new InvalidArchiveError(
      `not a ${kind} archive: ${missing.map((m) => JSON.stringify(m)).join(', ')} missing`,
    )
  }
}

/** Uploads a charm or bundle archive; `revision` decides POST (none) or PUT. */
export async function uploadEntity(
  client: CharmStoreClient,
  kind: 'charm' | 'bundle',
  ref: CharmId,
  archive: ArchiveSource,
  withRevision: boolean,
  options: UploadArchiveOptions,
): Promise<CharmURL> {
  const id = toCharmURL(ref)
  if (withRevision !== id.revision >= 0) {
    throw new CharmStoreArgumentError(
      withRevision
        ? `${id} has no revision: give one to upload at a revision`
        : `${id} has a revision: use the WithRevision form`,
    )
  }
  await checkArchiveKind(archive, kind)
  return (await uploadArchive(client, id, archive, options)).id
}
