/**
 * The object server as a web fetch handler (for msw): Range per RFC 9110, and a fault that
 * breaks the body of request `cutRequest` after `cutAfter` bytes.
 */
export function objectHandler(object: Uint8Array, faults: { cut?: Record<number, number> } = {}) {
  const log: string[] = []
  const handler = async (request: Request): Promise<Response> => {
    const range = request.headers.get('range')
    log.push(range ?? 'none')
    const n = log.length
    const m = range ? /^bytes=(\d+)-(\d*)$/.exec(range) : null
    const start = m ? Number(m[1]) : 0
    const end = m?.[2] ? Math.min(Number(m[2]), object.length - 1) : object.length - 1
    const body = object.subarray(start, end + 1)
    const limit = faults.cut?.[n]
    let at = 0
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (limit !== undefined && at >= limit) return c.error(new Error('connection reset'))
        if (at >= body.length) return c.close()
        const next = Math.min(body.length, at + 16_384, limit ?? Number.POSITIVE_INFINITY)
        c.enqueue(body.slice(at, next))
        at = next
      },
    })
    const headers: Record<string, string> = {
      'accept-ranges': 'bytes',
      'content-length': String(body.length),
    }
    if (m) headers['content-range'] = `bytes ${start}-${end}/${object.length}`
    return new Response(stream, { status: m ? 206 : 200, headers })
  }
  return { handler, log }
}
