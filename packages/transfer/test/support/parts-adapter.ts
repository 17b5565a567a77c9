import { createHttpClient } from '@wharf/core-http'
import type { MultipartAdapter } from '../../src/index.js'

/** A multipart adapter for the test server, on core-http with its own retries off. */
export function partsAdapter(baseUrl: string): MultipartAdapter<{ digest: string; size: number }> {
  const client = createHttpClient({ baseUrl, retry: 0 })
  return {
    async start(_info, signal) {
      const r = await client.json<{ uploadId: string; partSize?: number; expires: string }>(
        'uploads',
        { method: 'POST', signal },
      )
      return {
        uploadId: r.uploadId,
        expiresAt: new Date(r.expires),
        ...(r.partSize ? { partSize: r.partSize } : {}),
      }
    },
    async uploadPart(part, signal) {
      const r = await client.request(`uploads/${part.uploadId}/parts/${part.partNumber}`, {
        method: 'PUT',
        body: part.body,
        headers: { 'x-checksum': part.checksum.toString() },
        signal,
      })
      await r.discard()
      return { etag: r.headers.get('etag') ?? undefined }
    },
    complete({ uploadId, parts, digest }, signal) {
      return client.json(`uploads/${uploadId}/complete`, {
        method: 'POST',
        json: {
          parts: parts.map((p) => ({ partNumber: p.partNumber, etag: p.etag })),
          digest: String(digest),
        },
        signal,
      })
    },
    async abort({ uploadId }) {
      const r = await client.request(`uploads/${uploadId}`, { method: 'DELETE' })
      await r.discard()
    },
  }
}
