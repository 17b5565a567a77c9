import { brokenBody, streamBytes } from './body.js'
import { parseRange } from './ranges.js'

/**
 * A blob GET/HEAD answer: 200 with the whole blob, 206 for a satisfiable `Range` (unless
 * ranges are ignored), 416 for an unsatisfiable one. HEAD answers carry no body.
 */
export function serveBlobBytes(
  request: Request,
  bytes: Uint8Array,
  digest: string,
  ignoreRange: boolean,
  brokenRangeErrors = false,
): Response {
  const size = bytes.byteLength
  const headers = new Headers({
    'content-type': 'application/octet-stream',
    'docker-content-digest': digest,
    etag: `"${digest}"`,
    'cache-control': 'max-age=31536000',
    'accept-ranges': ignoreRange ? 'none' : 'bytes',
  })
  const range = ignoreRange ? undefined : parseRange(request.headers.get('range'), size)
  if (range === 'unsatisfiable') {
    headers.set('content-range', `bytes */${size}`)
    if (!brokenRangeErrors || request.method === 'HEAD') {
      headers.set('content-length', '0')
      return new Response(null, { status: 416, headers })
    }
    headers.set('content-length', String(size))
    headers.set('content-type', 'text/plain; charset=utf-8')
    return new Response(brokenBody('invalid range\n'), { status: 416, headers })
  }
  const part = range ? bytes.subarray(range.start, range.end + 1) : bytes
  headers.set('content-length', String(part.byteLength))
  if (range) headers.set('content-range', `bytes ${range.start}-${range.end}/${size}`)
  const body = request.method === 'HEAD' || part.byteLength === 0 ? null : streamBytes(part)
  return new Response(body, { status: range ? 206 : 200, headers })
}
