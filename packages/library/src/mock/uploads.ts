import type { MockContext } from './context.js'
import { field, integer, ok, randomId, readBytes, readJson, refuse, sha256Hex } from './http.js'
import type { MockImage, MockUpload, PresignedTarget } from './state.js'

const HEX64 = /^[a-f0-9]{64}$/

/** A presigned URL on the storage origin for `target` (valid until the mock is reset). */
export function presign(
  ctx: MockContext,
  path: string,
  target: PresignedTarget,
  signed = false,
): string {
  const signature = randomId(16)
  ctx.store.presigned.set(signature, target)
  const url = new URL(`${ctx.storageUrl()}/${path}`)
  url.searchParams.set('X-Amz-Algorithm', 'AWS4-HMAC-SHA256')
  url.searchParams.set('X-Amz-Expires', '3600')
  url.searchParams.set('X-Amz-SignedHeaders', signed ? 'host;x-amz-content-sha256' : 'host')
  url.searchParams.set('X-Amz-Signature', signature)
  return url.href
}

/** Refuses an upload that would take the image's entity over its quota (507). */
function checkQuota(ctx: MockContext, image: MockImage, size: number): void {
  const { entity } = ctx.store.lineage(image)
  if (ctx.store.usage(entity.id) + size > entity.quota) {
    refuse(507, `Insufficient storage: quota of ${entity.quota} bytes exceeded`)
  }
}

/** Stores the file of an image after checking its hash and the quota. */
async function finish(ctx: MockContext, image: MockImage, bytes: Uint8Array) {
  const actual = `sha256.${await sha256Hex(bytes)}`
  if (actual !== image.hash)
    refuse(422, `file hash ${actual} does not match image hash ${image.hash}`)
  checkQuota(ctx, image, bytes.byteLength)
  image.bytes = bytes
  image.size = bytes.byteLength
  image.uploaded = true
  const { entity, collection, container } = ctx.store.lineage(image)
  return {
    quota: { quotaTotal: entity.quota, quotaUsage: ctx.store.usage(entity.id) },
    containerUrl: `entities/${entity.name}/collections/${collection.name}/containers/${container.name}`,
  }
}

function pending(ctx: MockContext, image: MockImage, id: string, kind: MockUpload['kind']) {
  const upload = ctx.store.uploads.get(id)
  if (!upload || upload.imageId !== image.id || upload.kind !== kind) {
    return refuse(404, `no ${kind} upload ${id} for image ${image.id}`)
  }
  return upload
}

/** `v1/imagefile/<id>` (raw body) and the `v2/imagefile/<id>[/_…]` upload endpoints. */
export async function uploads(
  ctx: MockContext,
  request: Request,
  version: 'v1' | 'v2',
  imageId: string,
  action: string | undefined,
): Promise<Response> {
  const { store, settings } = ctx
  const image = store.images.get(imageId) ?? refuse(404, `no image ${imageId}`)
  const method = request.method
  if (version === 'v1' && method === 'POST' && action === undefined) {
    await finish(ctx, image, await readBytes(request))
    return ok(null)
  }
  if (version !== 'v2') refuse(405, 'method not allowed')
  if (action === undefined && method === 'POST') {
    const body = await readJson(request)
    const size = integer(body, 'filesize')
    const sha256 = field(body, 'sha256sum', true)
    if (sha256 !== '' && !HEX64.test(sha256)) refuse(400, 'sha256sum must be 64 lowercase hex')
    checkQuota(ctx, image, size)
    const upload: MockUpload = {
      id: randomId(),
      imageId,
      kind: 'single',
      size,
      partSize: size,
      totalParts: 1,
      checksums: new Map(sha256 ? [[1, sha256]] : []),
      parts: new Map(),
    }
    store.uploads.set(upload.id, upload)
    const target = {
      kind: 'upload' as const,
      uploadId: upload.id,
      partNumber: 1,
      ...(settings.signedHeaders && sha256 ? { signedChecksum: sha256 } : {}),
    }
    return ok({
      uploadURL: presign(ctx, `upload/${upload.id}`, target, target.signedChecksum !== undefined),
    })
  }
  if (action === '_complete' && method === 'PUT') {
    const upload = [...store.uploads.values()].find(
      (u) => u.imageId === imageId && u.kind === 'single' && u.parts.has(1),
    )
    if (!upload) refuse(400, 'no uploaded file to complete')
    store.uploads.delete(upload.id)
    return ok(await finish(ctx, image, upload.parts.get(1)!.bytes))
  }
  if (action === '_multipart' && method === 'POST') {
    if (!settings.multipart) refuse(404, 'multipart uploads are not supported')
    const size = integer(await readJson(request), 'filesize')
    checkQuota(ctx, image, size)
    const upload: MockUpload = {
      id: randomId(),
      imageId,
      kind: 'multipart',
      size,
      partSize: settings.partSize,
      totalParts: Math.max(1, Math.ceil(size / settings.partSize)),
      checksums: new Map(),
      parts: new Map(),
    }
    store.uploads.set(upload.id, upload)
    return ok({
      uploadID: upload.id,
      totalParts: upload.totalParts,
      partSize: upload.partSize,
      options: settings.s3compliant === null ? {} : { s3compliant: settings.s3compliant },
    })
  }
  if (action === '_multipart' && method === 'PUT') {
    const body = await readJson(request)
    const upload = pending(ctx, image, field(body, 'uploadID'), 'multipart')
    const partNumber = integer(body, 'partNumber')
    if (partNumber < 1 || partNumber > upload.totalParts) {
      refuse(400, `partNumber ${partNumber} is outside 1..${upload.totalParts}`)
    }
    const expected = Math.min(upload.partSize, upload.size - (partNumber - 1) * upload.partSize)
    if (integer(body, 'partSize') !== expected) {
      refuse(400, `part ${partNumber} must be ${expected} bytes, not ${String(body.partSize)}`)
    }
    const sha256 = field(body, 'sha256sum', true)
    const s3 = settings.s3compliant === null || settings.s3compliant === 'true'
    if (s3 ? !HEX64.test(sha256) : sha256 !== '') {
      refuse(400, s3 ? 'sha256sum of the part is required' : 'sha256sum must be empty')
    }
    if (s3) upload.checksums.set(partNumber, sha256)
    else upload.checksums.delete(partNumber)
    const target = {
      kind: 'part' as const,
      uploadId: upload.id,
      partNumber,
      ...(s3 ? { signedChecksum: sha256 } : {}),
    }
    return ok({ presignedURL: presign(ctx, `part/${upload.id}/${partNumber}`, target, s3) })
  }
  if (action === '_multipart_complete' && method === 'PUT') {
    const body = await readJson(request)
    const upload = pending(ctx, image, field(body, 'uploadID'), 'multipart')
    const completed = body.completedParts
    if (!Array.isArray(completed) || completed.length !== upload.totalParts) {
      refuse(400, `completedParts must list all ${upload.totalParts} parts`)
    }
    const chunks = completed.map((entry, index) => {
      const part = upload.parts.get(index + 1)
      if (entry?.partNumber !== index + 1 || !part || entry?.token !== part.etag) {
        return refuse(400, `completed part ${index + 1} does not match an uploaded part`)
      }
      return part.bytes
    })
    const bytes = new Uint8Array(upload.size)
    let offset = 0
    for (const chunk of chunks) {
      bytes.set(chunk, offset)
      offset += chunk.byteLength
    }
    store.uploads.delete(upload.id)
    return ok(await finish(ctx, image, bytes))
  }
  if (action === '_multipart_abort' && method === 'PUT') {
    const upload = pending(ctx, image, field(await readJson(request), 'uploadID'), 'multipart')
    store.uploads.delete(upload.id)
    store.aborted.push(upload.id)
    return ok(null)
  }
  return refuse(405, 'method not allowed')
}
