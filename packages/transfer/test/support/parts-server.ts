import { createHash } from 'node:crypto'

/** Fault injection for the multipart test server. */
export interface PartsFaults {
  /** partNumber → how many times to fail it, and with which status. */
  failPart?: Record<number, { times: number; status: number }>
  /** Force a part size in the create answer. */
  partSize?: number
}

/**
 * A small S3-like multipart server written as a fetch handler from its own rules (it hashes
 * with node:crypto, not with the client's helpers): POST /uploads, PUT
 * /uploads/:id/parts/:n (checks `x-checksum`), POST /uploads/:id/complete, DELETE /uploads/:id.
 */
export function partsServer(faults: PartsFaults = {}) {
  const uploads = new Map<string, Map<number, Uint8Array>>()
  const log: string[] = []
  const aborted: string[] = []
  const completed: Array<{ id: string; bytes: Uint8Array; digest: string }> = []
  let ids = 0
  const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`
  const handler = async (request: Request): Promise<Response> => {
    const url = new URL(request.url)
    const parts = url.pathname.split('/').filter(Boolean)
    log.push(`${request.method} ${url.pathname}`)
    if (request.method === 'POST' && url.pathname === '/uploads') {
      const id = `u${++ids}`
      uploads.set(id, new Map())
      return Response.json({
        uploadId: id,
        partSize: faults.partSize,
        expires: '2030-01-01T00:00:00Z',
      })
    }
    const upload = uploads.get(parts[1] ?? '')
    if (!upload) return Response.json({ errors: [{ code: 'NO_UPLOAD' }] }, { status: 404 })
    if (request.method === 'PUT' && parts[2] === 'parts') {
      const n = Number(parts[3])
      const fault = faults.failPart?.[n]
      const body = new Uint8Array(await request.arrayBuffer())
      if (fault && fault.times > 0) {
        fault.times--
        return new Response('injected failure', { status: fault.status })
      }
      if (Number(request.headers.get('content-length')) !== body.byteLength) {
        return new Response('length mismatch', { status: 400 })
      }
      if (request.headers.get('x-checksum') !== sha(body)) {
        return new Response('checksum mismatch', { status: 400 })
      }
      upload.set(n, body)
      return new Response(null, { headers: { etag: `"etag-${n}"` } })
    }
    if (request.method === 'POST' && parts[2] === 'complete') {
      const { parts: list, digest } = (await request.json()) as {
        parts: Array<{ partNumber: number; etag: string }>
        digest: string
      }
      const chunks = list.map((p) => {
        const b = upload.get(p.partNumber)
        if (!b || p.etag !== `"etag-${p.partNumber}"`) throw new Error(`bad part ${p.partNumber}`)
        return b
      })
      const bytes = new Uint8Array(Buffer.concat(chunks))
      if (sha(bytes) !== digest) return new Response('digest mismatch', { status: 400 })
      completed.push({ id: parts[1]!, bytes, digest })
      return Response.json({ digest, size: bytes.byteLength })
    }
    if (request.method === 'DELETE') {
      aborted.push(parts[1]!)
      uploads.delete(parts[1]!)
      return new Response(null, { status: 204 })
    }
    return new Response('no route', { status: 405 })
  }
  return { handler, log, aborted, completed, uploads }
}
