import { HttpError, NetworkError, replayableBody, TimeoutError } from '@wharf/core-http'
import {
  type Digest,
  multipartUpload,
  type ProgressListener,
  type UploadSource,
} from '@wharf/transfer'
import { type LibraryApi, refPath } from './api.js'
import { LibraryError, NotFoundError } from './errors.js'
import type {
  AbortMultipartUploadRequest,
  CompleteMultipartUploadRequest,
  Image,
  MultipartUpload,
  MultipartUploadStartRequest,
  UploadImage,
  UploadImageComplete,
  UploadImagePart,
  UploadImagePartRequest,
  UploadImageRequest,
} from './models.js'
import type { UploadOptions } from './push.js'

/** The multipart option saying the object store is fully S3 compatible (checksums signed). */
export const OPTION_S3_COMPLIANT = 's3compliant'

/** Default cap of a server-chosen part size (parts in flight are held in memory). */
export const MAX_PART_SIZE = 1024 * 1024 * 1024

/** Request options carrying the caller's AbortSignal. */
export type Signal = { signal?: AbortSignal }

/** Object-store answers that mean the part's bytes were damaged on the way: send it again. */
const CHECKSUM_CODES = new Set(['XAmzContentSHA256Mismatch', 'BadDigest', 'InvalidDigest'])

/** Errors worth another attempt of a part: transient failures and checksum rejections. */
export function retryablePartError(error: unknown): boolean {
  if (error instanceof NetworkError || error instanceof TimeoutError) return true
  if (!(error instanceof HttpError)) return false
  if ([408, 429, 500, 502, 503, 504].includes(error.status)) return true
  return error.status === 400 && error.errors.some((e) => CHECKSUM_CODES.has(e.code))
}

/** The whole source as a fresh stream. */
export function open(source: UploadSource, size: number): ReadableStream<Uint8Array> {
  if (source instanceof Uint8Array) return new Blob([source as Uint8Array<ArrayBuffer>]).stream()
  if (source instanceof Blob) return source.stream()
  return source.open(0, size)
}

/** A replayable body of the whole source that reports progress (the bytes were hashed already). */
export function fileBody(source: UploadSource, size: number, report?: ProgressListener) {
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

/** A presigned URL from the library's answer; ERR_PROTOCOL unless it is an http(s) URL. */
function presigned(value: unknown, what: string): URL {
  let url: URL | undefined
  try {
    url = typeof value === 'string' ? new URL(value) : undefined
  } catch {
    url = undefined
  }
  // The value is not quoted: a presigned URL carries a signature.
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:') {
    throw new LibraryError('ERR_PROTOCOL', `the library sent a ${what} that is not an http(s) URL`)
  }
  return url
}

/** v1: the file as the body of `POST v1/imagefile/<id>`. */
export async function uploadV1(
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
export async function uploadV2Single(
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
  const url = presigned(uploadURL, 'presigned upload URL')
  const signedHeaders = (url.searchParams.get('X-Amz-SignedHeaders') ?? '').split(';')
  const headers: Record<string, string> = { 'content-type': 'application/octet-stream' }
  if (signedHeaders.includes('x-amz-content-sha256')) headers['x-amz-content-sha256'] = digest.hex
  const response = await api.storage(url.href).request(url, { method: 'PUT', body, headers, ...o })
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
export async function uploadV2Multipart(
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
        const url = presigned(presignedURL, `presigned URL of part ${part.partNumber}`)
        const response = await api.storage(url.href).request(url, {
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
