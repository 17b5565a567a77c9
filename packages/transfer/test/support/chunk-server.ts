import { createHash } from 'node:crypto'

/** Faults of the chunk server, by PATCH number (1-based). */
export interface ChunkFaults {
  /** Drop the connection without storing the chunk. */
  drop?: number[]
  /** Store the chunk, then drop the connection (the answer is lost). */
  dropAnswer?: number[]
  /** Answer 202 as if stored, but lose the bytes (a later PATCH then gets 416). */
  lose?: number[]
  /** Answer 500 without storing. */
  fail?: number[]
}

/**
 * An OCI-style upload session (from the distribution spec): PATCH /upload with
 * `Content-Range: <start>-<end>` must start at the stored length (else 416); the answer and
 * GET /upload carry `Range: 0-<last>`.
 */
export function chunkServer(faults: ChunkFaults = {}) {
  let stored = new Uint8Array(0)
  let patches = 0
  const log: string[] = []
  const range = () => (stored.length ? `0-${stored.length - 1}` : '0-0')
  const handler = async (request: Request): Promise<Response> => {
    if (request.method === 'GET') {
      log.push(`GET ${stored.length}`)
      return new Response(null, { status: 204, headers: { range: range() } })
    }
    const n = ++patches
    const header = request.headers.get('content-range') ?? ''
    log.push(`PATCH ${header}`)
    const body = new Uint8Array(await request.arrayBuffer())
    const m = /^(\d+)-(\d+)$/.exec(header)
    if (faults.drop?.includes(n)) return Response.error()
    if (faults.fail?.includes(n)) return new Response('boom', { status: 500 })
    if (!m || Number(m[1]) !== stored.length || Number(m[2]) - Number(m[1]) + 1 !== body.length) {
      return Response.json(
        { errors: [{ code: 'BLOB_UPLOAD_INVALID' }] },
        { status: 416, headers: { range: range() } },
      )
    }
    if (faults.lose?.includes(n)) {
      const claimed = `0-${stored.length + body.length - 1}`
      return new Response(null, { status: 202, headers: { range: claimed } })
    }
    stored = new Uint8Array(Buffer.concat([stored, body]))
    if (faults.dropAnswer?.includes(n)) return Response.error()
    return new Response(null, { status: 202, headers: { range: range() } })
  }
  return {
    handler,
    log,
    digest: () => `sha256:${createHash('sha256').update(stored).digest('hex')}`,
    size: () => stored.length,
  }
}
