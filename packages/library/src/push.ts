import { HttpError, NetworkError, replayableBody, TimeoutError } from '@wharf/core-http'
import {
  type Digest,
  hashStream,
  multipartUpload,
  type ProgressListener,
  throttleProgress,
  type UploadSource,
  verifyingStream,
} from '@wharf/transfer'
import { type LibraryApi, refPath } from './api.js'
import { API_VERSION_V2_ARCH_TAGS, API_VERSION_V2_UPLOAD } from './api-version.js'
import { LibraryError, NotFoundError } from './errors.js'
import type {
  AbortMultipartUploadRequest,
  ArchImageTag,
  Collection,
  CompleteMultipartUploadRequest,
  Container,
  Entity,
  Image,
  ImageTag,
  MultipartUpload,
  MultipartUploadStartRequest,
  UploadImage,
  UploadImageComplete,
  UploadImagePart,
  UploadImagePartRequest,
  UploadImageRequest,
} from './models.js'
import { pushPath } from './refs.js'

/** The multipart option saying the object store is fully S3 compatible (checksums signed). */
export const OPTION_S3_COMPLIANT = 's3compliant'

/** Default cap of a server-chosen part size (parts in flight are held in memory). */
export const MAX_PART_SIZE = 1024 * 1024 * 1024

/** Files larger than this go up in v2 multipart uploads (the Go client's 64 MiB). */
export const MULTIPART_THRESHOLD = 64 * 1024 * 1024

/** Options of `uploadImage`. */
export interface UploadOptions {
  /** `entity/collection/container` (optionally with `library://`), without tags. */
  path: string
  /** Architecture the tags are set for (default `amd64`). */
  arch?: string
  /** Tags to point at the image (default `['latest']`; `[]` sets none). */
  tags?: string[]
  /** Description of a newly created image record. */
  description?: string
  /** Throttled progress of the file upload. */
  onProgress?: ProgressListener
  signal?: AbortSignal
  /** Parts sent at once in a multipart upload (default 1, as the Go client). */
  concurrency?: number
  /** Size above which the multipart flow is tried (default 64 MiB). */
  multipartThreshold?: number
  /**
   * Largest part size accepted from the server (default 1 GiB): each part in flight is held in
   * memory, so a larger one fails the upload (after aborting it) instead of exhausting memory.
   */
  maxPartSize?: number
}

type Signal = { signal?: AbortSignal }

/** Object-store answers that mean the part's bytes were damaged on the way: send it again. */
const CHECKSUM_CODES = new Set(['XAmzContentSHA256Mismatch', 'BadDigest', 'InvalidDigest'])

/** Errors worth another attempt of a part: transient failures and checksum rejections. */
export function retryablePartError(error: unknown): boolean {
  if (error instanceof NetworkError || error instanceof TimeoutError) return true
  if (!(error instanceof HttpError)) return false
  if ([408, 429, 500, 502, 503, 504].includes(error.status)) return true
  return error.status === 400 && error.errors.some((e) => CHECKSUM_CODES.has(e.code))
}

function sizeOf(source: UploadSource): number {
  const size =
    source instanceof Uint8Array ? source.byteLength : (source as { size?: unknown })?.size
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new LibraryError(
      'ERR_INVALID_ARGUMENT',
      'upload source must be a Blob, bytes or a sized source',
    )
  }
  return size
}

function open(source: UploadSource, size: number): ReadableStream<Uint8Array> {
  if (source instanceof Uint8Array) return new Blob([source as Uint8Array<ArrayBuffer>]).stream()
  if (source instanceof Blob) return source.stream()
  return source.open(0, size)
}

/** GETs a record; on 404 creates it with `create`. */
async function findOrCreate<T>(
  api: LibraryApi,
  path: string,
  create: { path: string; body: Record<string, unknown> },
  o: Signal,
): Promise<T> {
  try {
    return await api.data<T>(path, o)
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error
  }
  return api.data<T>(create.path, { method: 'POST', json: create.body, ...o })
}

/** The entity, collection, container and image records of a push, created when missing. */
async function records(
  api: LibraryApi,
  path: string,
  hash: string,
  arch: string,
  description: string,
  o: Signal,
): Promise<{ container: Container; image: Image }> {
  const { entity: e, collection: c, container: n } = pushPath(path)
  const entity = await findOrCreate<Entity>(
    api,
    refPath('v1/entities/', e),
    { path: 'v1/entities', body: { name: e, description: 'No description' } },
    o,
  )
  const collection = await findOrCreate<Collection>(
    api,
    refPath('v1/collections/', `${e}/${c}`),
    { path: 'v1/collections', body: { name: c, description: 'No description', entity: entity.id } },
    o,
  )
  const container = await findOrCreate<Container>(
    api,
    refPath('v1/containers/', `${e}/${c}/${n}`),
    {
      path: 'v1/containers',
      body: { name: n, description: 'No description', collection: collection.id },
    },
    o,
  )
  let image: Image
  try {
    image = await api.data<Image>(refPath('v1/images/', `${e}/${c}/${n}:${hash}`), {
      searchParams: { arch },
      ...o,
    })
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error
    image = await api.data<Image>('v1/images', {
      method: 'POST',
      json: { hash, description, container: container.id },
      ...o,
    })
  }
  for (const [name, record] of Object.entries({ entity, collection, container, image })) {
    if (typeof record?.id !== 'string' || record.id === '') {
      throw new LibraryError('ERR_PROTOCOL', `the library returned a ${name} without an id`)
    }
  }
  return { container, image }
}

/** A replayable body of the whole source that reports progress (the bytes were hashed already). */
function fileBody(source: UploadSource, size: number, report?: ProgressListener) {
  return replayableBody(() => {
    const stream = open(source, size)
    if (!report) return stream
    report({ type: 'start', total: size })
    let transferred = 0
    return stream.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          transferred += chunk.byteLength
          controller.enqueue(chunk)
          report({ type: 'progress', transferred, total: size })
        },
      }),
    )
  }, size)
}

/** v1: the file as the body of `POST v1/imagefile/<id>`. */
async function uploadV1(
  api: LibraryApi,
  image: Image,
  body: ReturnType<typeof fileBody>,
  o: Signal,
) {
  const response = await api.http.request(refPath('v1/imagefile/', image.id), {
    method: 'POST',
    body,
    ...o,
  })
  await response.discard()
}

/** v2 single: presigned PUT of the whole file, then `_complete`. */
async function uploadV2Single(
  api: LibraryApi,
  image: Image,
  digest: Digest,
  body: ReturnType<typeof fileBody>,
  o: Signal,
): Promise<UploadImageComplete | null> {
  const request: UploadImageRequest = { filesize: body.size!, sha256sum: digest.hex }
  const { uploadURL } =
    (await api.data<UploadImage | null>(refPath('v2/imagefile/', image.id), {
      method: 'POST',
      json: request,
      ...o,
    })) ?? {}
  if (!uploadURL) throw new LibraryError('ERR_PROTOCOL', 'error getting presigned URL')
  const url = new URL(uploadURL)
  const signedHeaders = (url.searchParams.get('X-Amz-SignedHeaders') ?? '').split(';')
  const headers: Record<string, string> = { 'content-type': 'application/octet-stream' }
  if (signedHeaders.includes('x-amz-content-sha256')) headers['x-amz-content-sha256'] = digest.hex
  const response = await api.storage(uploadURL).request(url, { method: 'PUT', body, headers, ...o })
  await response.discard()
  return completion(
    await api.data<UploadImageComplete | null>(refPath('v2/imagefile/', `${image.id}/_complete`), {
      method: 'PUT',
      json: {},
      ...o,
    }),
  )
}

function completion(data: UploadImageComplete | null): UploadImageComplete | null {
  return data && typeof data === 'object' && data.containerUrl ? data : null
}

/** v2 multipart through transfer's engine; null when the server has no multipart endpoint. */
async function uploadV2Multipart(
  api: LibraryApi,
  image: Image,
  source: UploadSource,
  size: number,
  options: UploadOptions,
): Promise<{ result: UploadImageComplete | null } | null> {
  const o: Signal = options.signal ? { signal: options.signal } : {}
  const base = refPath('v2/imagefile/', image.id)
  let started: MultipartUpload | null
  try {
    const start: MultipartUploadStartRequest = { filesize: size }
    started = await api.data<MultipartUpload | null>(`${base}/_multipart`, {
      method: 'POST',
      json: start,
      ...o,
    })
  } catch (error) {
    if (error instanceof NotFoundError) return null
    throw error
  }
  const upload = started
  const abortUpload = async (uploadID: string) => {
    const request: AbortMultipartUploadRequest = { uploadID }
    await api.data(`${base}/_multipart_abort`, { method: 'PUT', json: request })
  }
  if (!upload || typeof upload.uploadID !== 'string' || upload.uploadID === '') {
    throw new LibraryError('ERR_PROTOCOL', `unusable multipart upload: ${JSON.stringify(upload)}`)
  }
  const maxPartSize = options.maxPartSize ?? MAX_PART_SIZE
  if (
    !Number.isSafeInteger(upload.partSize) ||
    upload.partSize < 1 ||
    upload.partSize > maxPartSize ||
    upload.totalParts !== Math.max(1, Math.ceil(size / upload.partSize))
  ) {
    await abortUpload(upload.uploadID).catch(() => {})
    throw new LibraryError(
      'ERR_PROTOCOL',
      `unusable multipart upload: part size ${upload.partSize} (at most ${maxPartSize}), ${upload.totalParts} parts for ${size} bytes`,
    )
  }
  const flag = upload.options?.[OPTION_S3_COMPLIANT]
  const s3compliant = flag === undefined || flag === '' || flag === 'true'
  const result = await multipartUpload({
    source,
    size,
    partSize: upload.partSize,
    concurrency: options.concurrency ?? 1,
    checksum: 'sha256',
    digestSource: false,
    retryable: retryablePartError,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    adapter: {
      start: async () => ({ uploadId: upload.uploadID, partSize: upload.partSize }),
      async uploadPart(part, signal) {
        const request: UploadImagePartRequest = {
          partSize: part.size,
          uploadID: part.uploadId,
          partNumber: part.partNumber,
          sha256sum: s3compliant ? part.checksum.hex : '',
        }
        const { presignedURL } =
          (await api.data<UploadImagePart | null>(`${base}/_multipart`, {
            method: 'PUT',
            json: request,
            signal,
          })) ?? {}
        if (!presignedURL) {
          throw new LibraryError('ERR_PROTOCOL', `no presigned URL for part ${part.partNumber}`)
        }
        const response = await api.storage(presignedURL).request(presignedURL, {
          method: 'PUT',
          body: part.body,
          headers: s3compliant ? { 'x-amz-content-sha256': part.checksum.hex } : {},
          failFast: true,
          signal,
        })
        await response.discard()
        const etag = response.headers.get('etag')
        if (!etag) {
          throw new LibraryError(
            'ERR_PROTOCOL',
            `object store sent no ETag for part ${part.partNumber}`,
          )
        }
        return { etag }
      },
      async complete({ parts }, signal) {
        const request: CompleteMultipartUploadRequest = {
          uploadID: upload.uploadID,
          completedParts: parts.map((p) => ({ partNumber: p.partNumber, token: p.etag! })),
        }
        return completion(
          await api.data<UploadImageComplete | null>(`${base}/_multipart_complete`, {
            method: 'PUT',
            json: request,
            signal,
          }),
        )
      },
      abort: ({ uploadId }) => abortUpload(uploadId),
    },
  })
  return { result }
}

/** Points the tags at the image: v2 arch tags when the server has them, v1 tags otherwise. */
async function setTags(
  api: LibraryApi,
  container: Container,
  image: Image,
  tags: string[],
  arch: string,
  o: Signal,
): Promise<void> {
  const v2 = await api.supports(API_VERSION_V2_ARCH_TAGS, o.signal)
  const path = refPath(v2 ? 'v2/tags/' : 'v1/tags/', container.id)
  await api.data(path, o)
  for (const tag of tags) {
    const body: ImageTag | ArchImageTag = v2
      ? { Arch: arch, Tag: tag, ImageID: image.id }
      : { Tag: tag, ImageID: image.id }
    await api.data(path, { method: 'POST', json: body, ...o })
  }
}

/** Pushes an image (see `LibraryClient.uploadImage`). */
export async function uploadImage(
  api: LibraryApi,
  source: UploadSource,
  options: UploadOptions,
): Promise<UploadImageComplete | null> {
  if (!options || typeof options !== 'object') {
    throw new LibraryError('ERR_INVALID_ARGUMENT', 'uploadImage needs options with a path')
  }
  pushPath(options.path)
  const tags = options.tags ?? ['latest']
  if (
    !Array.isArray(tags) ||
    tags.some((t) => typeof t !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(t))
  ) {
    throw new LibraryError('ERR_INVALID_ARGUMENT', `invalid tags ${JSON.stringify(tags)}`)
  }
  const arch = options.arch ?? 'amd64'
  const o: Signal = options.signal ? { signal: options.signal } : {}
  const size = sizeOf(source)
  const { digest } = await hashStream(open(source, size).pipeThrough(verifyingStream({ size })))
  const hash = digest.toLibraryString()
  const { container, image } = await records(
    api,
    options.path,
    hash,
    arch,
    options.description ?? '',
    o,
  )

  let result: UploadImageComplete | null = null
  if (!image.uploaded) {
    const report = options.onProgress && throttleProgress(options.onProgress)
    const body = fileBody(source, size, report)
    const threshold = options.multipartThreshold ?? MULTIPART_THRESHOLD
    const v2 = await api.supports(API_VERSION_V2_UPLOAD, o.signal)
    const multipart =
      v2 && size > threshold ? await uploadV2Multipart(api, image, source, size, options) : null
    if (multipart) result = multipart.result
    else {
      if (v2) result = await uploadV2Single(api, image, digest, body, o)
      else await uploadV1(api, image, body, o)
      report?.({ type: 'done', transferred: size })
    }
  }
  await setTags(api, container, image, tags, arch, o)
  return result
}
