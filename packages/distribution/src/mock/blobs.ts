import { serveBlobBytes } from './blob-response.js'
import type { Context } from './context.js'
import { fail } from './errors.js'
import { malformedDigest } from './validate.js'

/** `/v2/<name>/blobs/<digest>`: GET and HEAD (200, 206, 416 or a 307 to storage) and DELETE. */
export function blobEndpoint(ctx: Context, name: string, digest: string): Response {
  const { request, store, options, faults } = ctx
  const method = request.method
  if (method !== 'GET' && method !== 'HEAD' && method !== 'DELETE') {
    return fail(405, 'UNSUPPORTED', `${method} is not allowed on a blob`)
  }
  const problem = malformedDigest(digest)
  if (problem) return fail(400, 'DIGEST_INVALID', problem, { digest })
  if (method === 'DELETE') {
    if (!options.deleteEnabled) return fail(405, 'UNSUPPORTED', 'deletes are disabled')
    if (!store.unlinkBlob(name, digest)) return fail(404, 'BLOB_UNKNOWN', undefined, { digest })
    return new Response(null, { status: 202, headers: { 'content-length': '0' } })
  }
  const bytes = store.blob(name, digest)
  if (!bytes) return fail(404, 'BLOB_UNKNOWN', undefined, { digest })
  if (faults.redirectBlobs && method === 'GET') {
    return new Response(null, {
      status: 307,
      headers: {
        location: ctx.storage.sign(ctx.storageOrigin, name, digest),
        'docker-content-digest': digest,
        'content-length': '0',
      },
    })
  }
  const broken = options.quirks.brokenRangeErrors
  return serveBlobBytes(request, bytes, digest, !!faults.ignoreRange, broken)
}
