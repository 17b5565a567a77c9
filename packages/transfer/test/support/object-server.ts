import type { IncomingMessage, ServerResponse } from 'node:http'
import { startTestServer } from '@wharf/tooling/test-server'

/** Faults the object server injects. */
export interface ObjectFaults {
  /** Answer every request with the whole object (200), ignoring Range. */
  ignoreRange?: boolean
  /** Request number (1-based) → bytes of body sent before the socket is destroyed. */
  cut?: Record<number, number>
  /** Shift the Content-Range of ranged answers after the first request by one byte. */
  wrongContentRange?: boolean
  /** Serve these bytes instead of the object for the body (a lying server), same headers. */
  bodyOverride?: Uint8Array
  /** Send no Content-Length on 200 answers (chunked). */
  chunked?: boolean
  /** Wait this long between 16 KiB chunks. */
  chunkDelayMs?: number
  /** ETag sent with every answer. */
  etag?: string
}

/**
 * A raw node:http server on 127.0.0.1 serving one object at /blob with its own Range handling
 * (written from RFC 9110, not from the client) and fault injection.
 */
export async function objectServer(object: Uint8Array, faults: ObjectFaults = {}) {
  let count = 0
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const n = ++count
    const header = req.headers.range
    const m = header ? /^bytes=(\d+)-(\d*)$/.exec(header) : null
    const headers: Record<string, string> = { 'accept-ranges': 'bytes' }
    if (faults.etag) headers.etag = faults.etag
    let start = 0
    let end = object.length - 1
    let status = 200
    if (m && !faults.ignoreRange) {
      start = Number(m[1])
      end = m[2] ? Math.min(Number(m[2]), object.length - 1) : object.length - 1
      if (start >= object.length) {
        res.writeHead(416, { ...headers, 'content-range': `bytes */${object.length}` })
        return res.end()
      }
      status = 206
      const shift = faults.wrongContentRange && n > 1 ? 1 : 0
      headers['content-range'] = `bytes ${start + shift}-${end + shift}/${object.length}`
    }
    const body = (faults.bodyOverride ?? object).subarray(start, end + 1)
    if (!(faults.chunked && status === 200)) headers['content-length'] = String(end + 1 - start)
    res.writeHead(status, headers)
    const limit = faults.cut?.[n] ?? Number.POSITIVE_INFINITY
    for (let at = 0; at < body.length; at += 16_384) {
      if (res.destroyed) return
      const chunk = body.subarray(at, Math.min(body.length, at + 16_384, limit))
      if (chunk.length && !res.write(chunk)) await new Promise((r) => res.once('drain', r))
      if (at + 16_384 >= limit) {
        await new Promise((r) => setTimeout(r, 20))
        res.socket?.destroy()
        return
      }
      if (faults.chunkDelayMs) await new Promise((r) => setTimeout(r, faults.chunkDelayMs))
    }
    res.end()
  }
  const server = await startTestServer(handler)
  return {
    ...server,
    blobUrl: `${server.url}/blob`,
    ranges: () => server.requests.map((r) => r.headers.range ?? 'none'),
  }
}
