import type { MockContext } from './context.js'
import { Reply, readBytes, sha256Hex } from './http.js'

/** An S3-style XML error. */
function s3Error(status: number, code: string, message: string): Response {
  return new Response(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`,
    { status, headers: { 'content-type': 'application/xml' } },
  )
}

/** `[start, end]` (inclusive) of a single `Range: bytes=…` within `size`, or 'invalid'/'none'. */
function byteRange(header: string | null, size: number): [number, number] | 'none' | 'invalid' {
  if (header === null) return 'none'
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!m || (m[1] === '' && m[2] === '')) return 'none'
  if (m[1] === '') {
    const suffix = Number(m[2])
    return suffix === 0 ? 'invalid' : [Math.max(0, size - suffix), size - 1]
  }
  const start = Number(m[1])
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1)
  return start >= size || end < start ? 'invalid' : [start, end]
}

/** A body that sends `bytes` of `data`, then fails (the server cuts the connection). */
function cutBody(data: Uint8Array, bytes: number): ReadableStream<Uint8Array> {
  let sent = false
  return new ReadableStream({
    async pull(controller) {
      if (!sent) {
        sent = true
        controller.enqueue(data.slice(0, bytes))
        return
      }
      // Let the bytes already written leave before the connection drops.
      await new Promise((resolve) => setTimeout(resolve, 100))
      controller.error(new Error('download cut by the mock storage (cutDownload)'))
    },
  })
}

/** Sends (a range of) an image's bytes, honouring the download faults. */
export function sendBytes(
  ctx: MockContext,
  data: Uint8Array,
  range: string | null,
  etag: string,
): Response {
  const { faults } = ctx
  const size = data.byteLength
  const wanted = faults.ignoreRange ? 'none' : byteRange(range, size)
  if (wanted === 'invalid') {
    return new Response(null, { status: 416, headers: { 'content-range': `bytes */${size}` } })
  }
  const [start, end] = wanted === 'none' ? [0, size - 1] : wanted
  const slice = data.subarray(start, end + 1)
  const headers: Record<string, string> = {
    'content-length': String(slice.byteLength),
    'content-type': 'application/octet-stream',
    'accept-ranges': 'bytes',
    etag: `"${etag}"`,
  }
  if (wanted !== 'none') headers['content-range'] = `bytes ${start}-${end}/${size}`
  const status = wanted === 'none' ? 200 : 206
  const cut = faults.cutDownload
  if (cut && cut.count > 0 && slice.byteLength > cut.bytes) {
    if (--cut.count <= 0) faults.cutDownload = undefined
    return new Response(cutBody(slice, cut.bytes), { status, headers })
  }
  return new Response(slice as Uint8Array<ArrayBuffer>, { status, headers })
}

/** The storage origin: presigned uploads (single and per part) and presigned downloads. */
export async function storage(ctx: MockContext, request: Request, url: URL): Promise<Response> {
  const { store, faults } = ctx
  if (request.headers.has('authorization')) {
    return s3Error(400, 'InvalidArgument', 'Only one auth mechanism allowed')
  }
  const target = store.presigned.get(url.searchParams.get('X-Amz-Signature') ?? '')
  const [kind, ...rest] = url.pathname.split('/').filter(Boolean)
  if (!target || target.kind !== kind) {
    return s3Error(403, 'SignatureDoesNotMatch', 'The request signature does not match')
  }
  if (kind === 'download' && request.method === 'GET') {
    const image = store.images.get(rest[0] ?? '')
    if (!image?.bytes || image.id !== target.imageId)
      return s3Error(404, 'NoSuchKey', 'No such key')
    return sendBytes(ctx, image.bytes, request.headers.get('range'), image.hash)
  }
  if (request.method !== 'PUT' || kind === 'download') {
    return s3Error(405, 'MethodNotAllowed', 'Method not allowed')
  }
  const upload = store.uploads.get(target.uploadId ?? '')
  if (!upload) return s3Error(404, 'NoSuchUpload', 'The upload does not exist (aborted?)')
  const partNumber = target.partNumber ?? 1
  const failure = faults.failPart
  if (failure && failure.partNumber === partNumber && failure.count > 0) {
    if (--failure.count <= 0) faults.failPart = undefined
    return s3Error(failure.status, 'InternalError', 'injected failure')
  }
  if (!request.headers.has('content-length')) {
    return s3Error(411, 'MissingContentLength', 'Content-Length is required')
  }
  let bytes: Uint8Array
  try {
    bytes = await readBytes(request)
  } catch (error) {
    if (error instanceof Reply) return s3Error(400, 'IncompleteBody', 'body length differs')
    throw error
  }
  const expected = Math.min(upload.partSize, upload.size - (partNumber - 1) * upload.partSize)
  if (bytes.byteLength !== expected) {
    return s3Error(400, 'InvalidPart', `expected ${expected} bytes, got ${bytes.byteLength}`)
  }
  const corrupt = faults.corruptPart
  if (corrupt && corrupt.partNumber === partNumber && corrupt.count > 0 && bytes.byteLength) {
    if (--corrupt.count <= 0) faults.corruptPart = undefined
    bytes = bytes.slice()
    bytes[0]! ^= 0xff
  }
  const actual = await sha256Hex(bytes)
  const signed = target.signedChecksum
  if (signed !== undefined && request.headers.get('x-amz-content-sha256') !== signed) {
    return s3Error(403, 'SignatureDoesNotMatch', 'x-amz-content-sha256 is not the signed value')
  }
  const announced = upload.checksums.get(partNumber)
  if (announced !== undefined && announced !== actual) {
    return s3Error(400, 'XAmzContentSHA256Mismatch', 'The provided checksum does not match')
  }
  const etag = `"${actual.slice(0, 32)}"`
  upload.parts.set(partNumber, { bytes, etag })
  return new Response(null, { status: 200, headers: { etag } })
}
