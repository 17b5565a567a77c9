import { BodyTooLargeError, isNetworkError, isTimeoutError, replayableBody } from '@wharf/core-http'
import {
  DigestMismatchError,
  hashStream,
  type MultipartAdapter,
  multipartUpload,
  type ProgressListener,
  parseDigest,
  type UploadSource,
} from '@wharf/transfer'
import { contentSha384, verifiedBody } from './archive.js'
import { type CharmRef, resolveRef } from './channel.js'
import { type CallOptions, type CharmStoreClient, readJson } from './client.js'
import {
  CharmStoreArgumentError,
  CharmStoreProtocolError,
  ErrorCode,
  isCharmStoreError,
  UploadNotFoundError,
} from './errors.js'
import type { DockerInfo, Resource } from './params.js'
import type { CharmURL } from './url.js'

/** A downloaded resource; `body` fails with a digest or size error if the bytes are wrong. */
export interface ResourceData {
  body: ReadableStream<Uint8Array>
  size: number
  /** Hex SHA-384 announced by the store and checked while streaming. */
  hash: string
}

/** The `Revision` of an upload reply; CharmStoreProtocolError when there is none. */
function revisionOf(reply: unknown, what: string): number {
  const revision = (reply as { Revision?: unknown } | null | undefined)?.Revision
  if (typeof revision !== 'number' || !Number.isSafeInteger(revision) || revision < 0) {
    throw new CharmStoreProtocolError(`${what}: no valid Revision in the reply`)
  }
  return revision
}

function checkName(name: string): string {
  if (typeof name !== 'string' || name === '' || name.includes('/')) {
    throw new CharmStoreArgumentError(`invalid resource name ${JSON.stringify(name)}`)
  }
  return name
}

function resourcePath(
  id: CharmURL,
  name: string,
  revision: number | undefined,
  prefix: string,
): string {
  const rev = revision !== undefined && revision >= 0 ? `/${revision}` : ''
  return `/${id.path()}/${prefix}/${encodeURIComponent(checkName(name))}${rev}`
}

/** `GET /<id>/meta/resources` */
export async function listResources(
  client: CharmStoreClient,
  ref: CharmRef,
  options: CallOptions = {},
): Promise<Resource[]> {
  const { id, channel } = resolveRef(ref)
  const response = await client.do(`/${id.path()}/meta/resources`, {
    channel,
    signal: options.signal,
  })
  return (await readJson<Resource[]>(response)) ?? []
}

/** `GET /<id>/meta/resources/<name>[/<rev>]` (`revision` < 0 or absent: the channel's). */
export async function resourceMeta(
  client: CharmStoreClient,
  ref: CharmRef,
  name: string,
  revision = -1,
  options: CallOptions = {},
): Promise<Resource> {
  const { id, channel } = resolveRef(ref)
  const response = await client.do(resourcePath(id, name, revision, 'meta/resources'), {
    channel,
    signal: options.signal,
  })
  return readJson<Resource>(response)
}

/** `GET /<id>/resource/<name>[/<rev>]`: the bytes, verified against `Content-Sha384` while read. */
export async function getResource(
  client: CharmStoreClient,
  ref: CharmRef,
  name: string,
  options: CallOptions & { revision?: number } = {},
): Promise<ResourceData> {
  const { id, channel } = resolveRef(ref)
  const response = await client.do(resourcePath(id, name, options.revision, 'resource'), {
    channel,
    signal: options.signal,
  })
  try {
    const what = `resource ${name} of ${id}`
    const hash = contentSha384(response.headers, what)
    const text = response.headers.get('content-length')
    if (text === null || !/^\d+$/.test(text))
      throw new CharmStoreProtocolError(`${what}: no valid Content-Length`)
    const size = Number(text)
    return { body: verifiedBody(response.body, hash, size), size, hash }
  } catch (error) {
    await response.discard()
    throw error
  }
}

/** Options of a resource upload. */
export interface UploadResourceOptions extends CallOptions {
  /** The bytes: a Uint8Array, a Blob, or a ranged source (`fileSource(path)` on Node). */
  source: UploadSource
  /** File name recorded by the store (`filename=`); its extension must match the declared path's. */
  filename: string
  /** Resume this multipart upload (see {@link UploadNotFoundError} when it is gone). */
  uploadId?: string
  /** Multipart parts sent at once (default 1, as csclient). */
  concurrency?: number
  /** Start (with the upload id), progress, part, finalizing, done, error. */
  onProgress?: ProgressListener
}

function sourceSize(source: UploadSource): number {
  const size = source instanceof Uint8Array ? source.byteLength : source?.size
  if (!Number.isSafeInteger(size) || size < 0)
    throw new CharmStoreArgumentError('resource source has no valid size')
  return size
}

function openSource(source: UploadSource, size: number): ReadableStream<Uint8Array> {
  if (source instanceof Uint8Array) return new Blob([source as BlobPart]).stream()
  if (source instanceof Blob) return source.stream()
  return source.open(0, size)
}

interface UploadInfo {
  UploadId: string
  Parts?: {
    Parts?: Array<{ Hash?: string; Size?: number; Offset?: number; Complete?: boolean }> | null
  }
  Expires?: string
  MinPartSize: number
  MaxPartSize: number
  MaxParts: number
}

/** Largest multipart part held in memory (1 GiB). */
const MAX_PART_BUFFER = 1 << 30

/** The part size csclient uses: `ceil(size / MaxParts)`, at least `MinPartSize`, at most `MaxPartSize`. */
export function partSizeFor(
  size: number,
  info: Pick<UploadInfo, 'MinPartSize' | 'MaxPartSize' | 'MaxParts'>,
): number {
  const preferred = Math.ceil(size / Math.max(1, info.MaxParts))
  if (preferred > info.MaxPartSize)
    throw new CharmStoreArgumentError(`resource too big: ${size} bytes`)
  return Math.max(preferred, info.MinPartSize, 1)
}

async function singleUpload(
  client: CharmStoreClient,
  id: CharmURL,
  name: string,
  revision: number | undefined,
  options: UploadResourceOptions,
  size: number,
): Promise<number> {
  const { digest } = await hashStream(openSource(options.source, size), 'sha384')
  options.onProgress?.({ type: 'start', total: size })
  const response = await client.do(resourcePath(id, name, revision, 'resource'), {
    method: revision === undefined ? 'POST' : 'PUT',
    body: replayableBody(() => openSource(options.source, size), size),
    contentType: 'application/octet-stream',
    searchParams: { hash: digest.hex, filename: options.filename },
    signal: options.signal,
  })
  const stored = revisionOf(await readJson(response), `upload of resource ${name}`)
  options.onProgress?.({ type: 'done', transferred: size })
  return stored
}

async function multipart(
  client: CharmStoreClient,
  id: CharmURL,
  name: string,
  revision: number | undefined,
  options: UploadResourceOptions,
  size: number,
): Promise<number | undefined> {
  let info: UploadInfo
  if (options.uploadId) {
    try {
      info = await client.get<UploadInfo>(
        `/upload/${encodeURIComponent(options.uploadId)}`,
        options,
      )
    } catch (error) {
      if (isCharmStoreError(error, ErrorCode.NotFound))
        throw new UploadNotFoundError(options.uploadId, { cause: error })
      throw error
    }
    if (info?.UploadId !== options.uploadId) {
      throw new CharmStoreProtocolError(
        `upload ${options.uploadId}: the store answered for ${JSON.stringify(info?.UploadId)}`,
      )
    }
  } else {
    try {
      info = await client.doWithResponse<UploadInfo>('POST', '/upload', null, options)
    } catch (error) {
      // A store without multipart support: fall back to one request.
      if (isCharmStoreError(error, ErrorCode.NotFound)) return undefined
      throw error
    }
  }
  if (typeof info?.UploadId !== 'string' || info.UploadId === '') {
    throw new CharmStoreProtocolError('upload: the store sent no upload id')
  }
  for (const key of ['MinPartSize', 'MaxPartSize', 'MaxParts'] as const) {
    if (!Number.isSafeInteger(info?.[key]) || info[key] < 1) {
      throw new CharmStoreProtocolError(
        `upload: invalid ${key} ${JSON.stringify(info?.[key])} from the store`,
      )
    }
  }
  const partSize = partSizeFor(size, info)
  // Each part is buffered while it is hashed and sent: keep that memory bounded.
  if (partSize > MAX_PART_BUFFER) {
    throw new CharmStoreProtocolError(
      `upload: parts of ${partSize} bytes exceed the limit of ${MAX_PART_BUFFER}`,
    )
  }
  const listed = info.Parts?.Parts
  const have = (Array.isArray(listed) ? listed : [])
    .map((p, i) => ({ p, i }))
    .filter(
      ({ p, i }) =>
        p?.Complete &&
        p.Hash &&
        p.Offset === i * partSize &&
        p.Size === Math.min(partSize, size - i * partSize),
    )
    .map(({ p, i }) => ({ partNumber: i + 1, etag: p.Hash! }))
  const uploadId = info.UploadId
  const adapter: MultipartAdapter<string> = {
    start: () =>
      Promise.reject(new CharmStoreProtocolError('the upload is started before the engine runs')),
    async uploadPart(part, signal) {
      const response = await client.do(
        `/upload/${encodeURIComponent(uploadId)}/${part.partNumber - 1}`,
        {
          method: 'PUT',
          body: part.body,
          contentType: 'application/octet-stream',
          searchParams: { hash: part.checksum.hex, offset: String(part.offset) },
          failFast: true,
          signal,
        },
      )
      await response.discard()
      return { etag: part.checksum.hex }
    },
    async complete({ parts, digest }, signal) {
      for (const p of parts) {
        if (p.etag !== undefined && p.etag !== p.checksum.hex) {
          throw new DigestMismatchError(parseDigest(`sha384:${p.etag}`), p.checksum, p.size)
        }
      }
      const body = { Parts: parts.map((p) => ({ Hash: p.checksum.hex, Complete: true })) }
      const result = await client.doWithResponse<{ Hash: string }>(
        'PUT',
        `/upload/${encodeURIComponent(uploadId)}`,
        body,
        { signal },
      )
      if (typeof result?.Hash !== 'string' || !/^[0-9a-f]{96}$/.test(result.Hash)) {
        throw new CharmStoreProtocolError(`upload ${uploadId}: no valid Hash in the finish reply`)
      }
      if (digest && result.Hash !== digest.hex) {
        throw new DigestMismatchError(digest, parseDigest(`sha384:${result.Hash}`), size)
      }
      return uploadId
    },
    // Parts stay on the store so that the upload can be resumed by its id.
    abort: async () => {},
  }
  await multipartUpload({
    source: options.source,
    size,
    partSize,
    concurrency: options.concurrency ?? 1,
    checksum: 'sha384',
    adapter,
    resume: { uploadId, parts: have },
    retry: 10,
    retryable: (error) => isNetworkError(error) || isTimeoutError(error),
    leavePartsOnError: true,
    signal: options.signal,
    ...(options.onProgress ? { onProgress: withExpiry(options.onProgress, info.Expires) } : {}),
  })
  const response = await client.do(resourcePath(id, name, revision, 'resource'), {
    method: revision === undefined ? 'POST' : 'PUT',
    json: null,
    searchParams: { 'upload-id': uploadId, filename: options.filename },
    signal: options.signal,
  })
  return revisionOf(await readJson(response), `upload ${uploadId} of resource ${name}`)
}

/** Adds the upload's expiry (csclient's `Progress.Start(uploadId, expires)`) to the start event. */
function withExpiry(listener: ProgressListener, expires: string | undefined): ProgressListener {
  const at = expires ? new Date(expires) : undefined
  if (!at || Number.isNaN(at.getTime())) return listener
  return (event) => listener(event.type === 'start' ? { ...event, expiresAt: at } : event)
}

/**
 * Uploads a resource: one request below the multipart threshold, else the `/upload`
 * protocol (resumable with `uploadId`). `revision` undefined: the store picks the next one.
 */
export async function uploadResource(
  client: CharmStoreClient,
  ref: CharmRef,
  name: string,
  revision: number | undefined,
  options: UploadResourceOptions,
): Promise<number> {
  const { id } = resolveRef(ref)
  checkName(name)
  if (revision !== undefined && (!Number.isSafeInteger(revision) || revision < 0)) {
    throw new CharmStoreArgumentError(`invalid resource revision ${revision}`)
  }
  if (typeof options.filename !== 'string')
    throw new CharmStoreArgumentError('filename is required')
  const size = sourceSize(options.source)
  if (options.uploadId || size >= client.minMultipartUploadSize()) {
    const result = await multipart(client, id, name, revision, options, size)
    if (result !== undefined) return result
  }
  return singleUpload(client, id, name, revision, options, size)
}

/** `GET /<id>/docker-resource-upload-info?resource-name=` */
export async function dockerResourceUploadInfo(
  client: CharmStoreClient,
  ref: CharmRef,
  name: string,
  options: CallOptions = {},
): Promise<DockerInfo> {
  const { id, channel } = resolveRef(ref)
  const response = await client.do(`/${id.path()}/docker-resource-upload-info`, {
    searchParams: { 'resource-name': checkName(name) },
    channel,
    signal: options.signal,
  })
  return readJson<DockerInfo>(response)
}

/** Largest docker resource description accepted (it is a small JSON document). */
const DOCKER_INFO_LIMIT = 64 * 1024

/** `GET /<id>/resource/<name>[/<rev>]` of a docker resource: where to pull the image from (hash-checked). */
export async function dockerResourceDownloadInfo(
  client: CharmStoreClient,
  ref: CharmRef,
  name: string,
  revision = -1,
  options: CallOptions = {},
): Promise<DockerInfo> {
  const data = await getResource(client, ref, name, { revision, ...options })
  if (data.size > DOCKER_INFO_LIMIT) {
    await data.body.cancel()
    throw new BodyTooLargeError(`docker resource ${name}`, DOCKER_INFO_LIMIT)
  }
  const text = await new Response(data.body).text()
  try {
    return JSON.parse(text) as DockerInfo
  } catch (error) {
    throw new CharmStoreProtocolError(`docker resource ${name}: the store did not send JSON`, {
      cause: error,
    })
  }
}

/** `POST /<id>/resource/<name>` with `{ImageName, Digest}`: records a docker image as a new revision. */
export async function addDockerResource(
  client: CharmStoreClient,
  ref: CharmRef,
  name: string,
  image: { digest: string; imageName?: string },
  options: CallOptions = {},
): Promise<number> {
  const { id } = resolveRef(ref)
  if (!/^sha256:[0-9a-f]{64}$/.test(image?.digest ?? '')) {
    throw new CharmStoreArgumentError(
      `docker image digest must be sha256:<64 hex>, got ${JSON.stringify(image?.digest)}`,
    )
  }
  const result = await client.doWithResponse(
    'POST',
    resourcePath(id, name, undefined, 'resource'),
    { ImageName: image.imageName ?? '', Digest: image.digest },
    options,
  )
  return revisionOf(result, `docker resource ${name}`)
}
