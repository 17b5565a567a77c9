import { fail } from './errors.js'

/** Faults to inject; mutable at run time, each counter decrements as it fires. */
export interface MockFaults {
  /** Answer the next `count` matching requests with `status` (e.g. 503, or 429 with `retryAfter` seconds). */
  failNext?: { status: number; count: number; retryAfter?: number; paths?: RegExp }
  /**
   * Send the headers and the first `bytes` body bytes of the next `count` matching responses
   * whose body is longer than that, then drop the connection.
   */
  cutAfterBytes?: { bytes: number; count: number; paths?: RegExp }
  /** Blob GETs answer 307 to the storage origin with a signed URL. */
  redirectBlobs?: boolean
  /** Blob GETs ignore `Range` and answer 200 with the whole blob. */
  ignoreRange?: boolean
}

const CODES: Readonly<Record<number, string>> = {
  401: 'UNAUTHORIZED',
  403: 'DENIED',
  404: 'NAME_UNKNOWN',
  429: 'TOOMANYREQUESTS',
  503: 'UNAVAILABLE',
}

const matches = (paths: RegExp | undefined, url: URL): boolean => {
  if (!paths) return true
  paths.lastIndex = 0
  return paths.test(url.pathname + url.search)
}

/** The injected failure for this request, if `failNext` fires. */
export function injectedFailure(faults: MockFaults, url: URL): Response | undefined {
  const rule = faults.failNext
  if (!rule || rule.count <= 0 || !matches(rule.paths, url)) return undefined
  if (--rule.count <= 0) faults.failNext = undefined
  const headers: Record<string, string> =
    rule.retryAfter === undefined ? {} : { 'retry-after': String(rule.retryAfter) }
  return fail(rule.status, CODES[rule.status] ?? 'UNKNOWN', 'injected failure', undefined, headers)
}

/** The response with its body cut after `bytes`, if `cutAfterBytes` fires for it. */
export function maybeCut(faults: MockFaults, url: URL, response: Response): Response {
  const rule = faults.cutAfterBytes
  const length = Number(response.headers.get('content-length') ?? Number.NaN)
  if (!rule || rule.count <= 0 || !response.body || !(length > rule.bytes)) return response
  if (!matches(rule.paths, url)) return response
  if (--rule.count <= 0) faults.cutAfterBytes = undefined
  const reader = response.body.getReader()
  let left = rule.bytes
  const cut = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (left <= 0) {
        // Let the bytes already written leave before the connection drops.
        await new Promise((resolve) => setTimeout(resolve, 20))
        reader.cancel().catch(() => {})
        controller.error(new Error('connection cut by the mock registry (cutAfterBytes)'))
        return
      }
      const { done, value } = await reader.read()
      if (done) {
        controller.close()
        return
      }
      const part = value.subarray(0, left)
      left -= part.byteLength
      controller.enqueue(part)
    },
  })
  return new Response(cut, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  })
}
