import { NetworkError } from '@wharf/core-http'
import { abortError, isTransient, retryDelay, sleep } from './attempts.js'
import { RangeResponseError, SizeMismatchError } from './errors.js'

/** A response to a (ranged) GET; a core-http `HttpResponse` or a web `Response` satisfies it. */
export interface RangeResponse {
  status: number
  headers: Headers
  body: ReadableStream<Uint8Array> | null
}

/**
 * Fetches the object, or bytes `start` to `end` (inclusive) of it when `range` is given, by
 * sending `Range: bytes=start-end` (or `bytes=start-` without `end`).
 */
export type FetchRange = (
  range: { start: number; end?: number } | undefined,
  signal: AbortSignal,
) => Promise<RangeResponse>

/** A parsed `Content-Range` header: `bytes a-b/total`, `bytes a-b/*` or `bytes *\/total`. */
export type ContentRange =
  | { start: number; end: number; total?: number }
  | { unsatisfied: true; total: number }

/** Parses a `Content-Range` header; undefined when it is absent or malformed. */
export function parseContentRange(value: string | null): ContentRange | undefined {
  if (!value) return undefined
  const m = /^bytes\s+(?:(\d+)-(\d+)|\*)\/(\d+|\*)$/i.exec(value.trim())
  if (!m) return undefined
  const total = m[3] === '*' ? undefined : Number(m[3])
  if (m[1] === undefined) return total === undefined ? undefined : { unsatisfied: true, total }
  const start = Number(m[1])
  const end = Number(m[2])
  if (end < start || (total !== undefined && end >= total)) return undefined
  return total === undefined ? { start, end } : { start, end, total }
}

/** The `Range` header value for a range request. */
export function rangeHeader(range: { start: number; end?: number }): string {
  return `bytes=${range.start}-${range.end ?? ''}`
}

/** Shared settings of the requests of one download. */
export interface RangeContext {
  fetchRange: FetchRange
  signal: AbortSignal
  /** The object's size when known. */
  size: number | undefined
  /** The ETag of the first answer: a later part with another ETag means the object changed. */
  etag: string | undefined
  /** Failures in a row (without new bytes) tolerated per part. */
  retries: number
  /** Base wait between attempts in ms. */
  retryDelay: number
  /** New bytes arrived (for progress). */
  onBytes(n: number): void
  /** A failed attempt is about to be retried. */
  onRetry?(error: unknown): void
}

/** What the first request learnt about the object. */
export interface Probe {
  size: number | undefined
  /** True when the server answered a Range request with 206. */
  ranged: boolean
  etag: string | undefined
  /** The first answer, whose body is the first part (ranged) or the whole object. */
  first: RangeResponse
}

function discard(response: RangeResponse): void {
  response.body?.cancel().catch(() => {})
}

/**
 * Sends the first request: a plain GET when the size is known and at most `partSize`,
 * otherwise a Range request for the first part. A 206 tells the size and that ranges work; a
 * 200 means the server ignores Range (one stream); a 416 with `bytes *\/0` is an empty object.
 */
export async function probe(
  ctx: Omit<RangeContext, 'etag' | 'onBytes'>,
  partSize: number,
): Promise<Probe> {
  const small = ctx.size !== undefined && ctx.size <= partSize
  const range = small ? undefined : { start: 0, end: partSize - 1 }
  const what = range ? `GET ${rangeHeader(range)}` : 'GET'
  for (let failures = 0; ; ) {
    let response: RangeResponse
    try {
      response = await ctx.fetchRange(range, ctx.signal)
    } catch (error) {
      if (ctx.signal.aborted) throw abortError(ctx.signal, 'download')
      if (!isTransient(error) || ++failures > ctx.retries) throw error
      await sleep(retryDelay(ctx.retryDelay, failures), ctx.signal)
      continue
    }
    const etag = response.headers.get('etag') ?? undefined
    if (response.status === 206 && range) {
      const cr = parseContentRange(response.headers.get('content-range'))
      if (!cr || 'unsatisfied' in cr || cr.start !== 0 || cr.total === undefined) {
        discard(response)
        throw new RangeResponseError(
          `${what}: unusable Content-Range ${JSON.stringify(response.headers.get('content-range'))}`,
        )
      }
      checkTotal(ctx.size, cr.total, response)
      return { size: cr.total, ranged: true, etag, first: response }
    }
    if (response.status === 200) {
      const length = Number(response.headers.get('content-length') ?? Number.NaN)
      const size =
        Number.isSafeInteger(length) && !response.headers.has('content-encoding')
          ? length
          : ctx.size
      checkTotal(ctx.size, size, response)
      return { size, ranged: false, etag, first: response }
    }
    const cr = parseContentRange(response.headers.get('content-range'))
    discard(response)
    if (response.status === 416 && cr && 'unsatisfied' in cr && cr.total === 0) {
      checkTotal(ctx.size, 0, response)
      return { size: 0, ranged: false, etag, first: { ...response, body: null } }
    }
    const error = new RangeResponseError(
      `${what}: unexpected status ${response.status}`,
      response.status,
    )
    if (!isTransient(error) || ++failures > ctx.retries) throw error
    await sleep(retryDelay(ctx.retryDelay, failures), ctx.signal)
  }
}

function checkTotal(
  expected: number | undefined,
  got: number | undefined,
  response: RangeResponse,
) {
  if (expected !== undefined && got !== undefined && got !== expected) {
    discard(response)
    throw new SizeMismatchError(expected, got, 'object size announced by the server')
  }
}

/**
 * Bytes to skip at the start of `response` so that it continues at `from`, after checking that
 * it answers the request for `[from, end)`: a 206 must carry exactly that Content-Range; a 200
 * (Range ignored) is accepted only for a part that is the whole object.
 */
function accept(
  ctx: RangeContext,
  response: RangeResponse,
  from: number,
  part: { start: number; end: number | undefined },
): number {
  const what = `GET ${rangeHeader({ start: from, ...(part.end === undefined ? {} : { end: part.end - 1 }) })}`
  const etag = response.headers.get('etag')
  if (ctx.etag && etag && etag !== ctx.etag) {
    throw new RangeResponseError(`${what}: the object changed (ETag ${etag}, was ${ctx.etag})`)
  }
  if (response.status === 206) {
    const header = response.headers.get('content-range')
    const cr = parseContentRange(header)
    const end = part.end ?? ctx.size
    if (
      !cr ||
      'unsatisfied' in cr ||
      cr.start !== from ||
      (end !== undefined && cr.end !== end - 1) ||
      (ctx.size !== undefined && cr.total !== undefined && cr.total !== ctx.size)
    ) {
      throw new RangeResponseError(`${what}: wrong Content-Range ${JSON.stringify(header)}`)
    }
    return 0
  }
  if (response.status === 200) {
    if (part.start === 0 && (part.end === undefined || part.end === ctx.size)) return from
    throw new RangeResponseError(`${what}: the server ignored the Range header (status 200)`)
  }
  throw new RangeResponseError(`${what}: unexpected status ${response.status}`, response.status)
}

/**
 * Fetches `[part.start, part.end)` (to the end of the object when `end` is undefined), handing
 * each chunk to `write` at its absolute position. A failed attempt resumes where the bytes
 * stopped with a new Range request; `retries` failures in a row without new bytes are
 * tolerated. Resolves with the number of bytes of the part received (including `have`).
 */
export async function fetchPart(
  ctx: RangeContext,
  part: { start: number; end: number | undefined; ranged: boolean },
  write: (position: number, bytes: Uint8Array) => void | Promise<void>,
  options: { have?: number; first?: RangeResponse } = {},
): Promise<number> {
  let have = options.have ?? 0
  let response = options.first
  let failures = 0
  for (let attempt = 0; attempt < 10_000; attempt++) {
    const from = part.start + have
    if (part.end !== undefined && from >= part.end && !response) return have
    const before = have
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined
    try {
      if (!response) {
        const range =
          part.ranged || from > 0
            ? { start: from, ...(part.end === undefined ? {} : { end: part.end - 1 }) }
            : undefined
        response = await ctx.fetchRange(range, ctx.signal)
      }
      let skip = accept(ctx, response, from, part)
      if (!response.body) {
        if (part.end === undefined || from >= part.end) return have
        throw new NetworkError(`GET bytes ${from}-: the server sent no body`)
      }
      reader = response.body.getReader()
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        let chunk = value
        if (skip) {
          const cut = Math.min(skip, chunk.byteLength)
          skip -= cut
          chunk = chunk.subarray(cut)
          if (!chunk.byteLength) continue
        }
        const position = part.start + have
        if (part.end !== undefined && position + chunk.byteLength > part.end) {
          throw new SizeMismatchError(
            part.end - part.start,
            position + chunk.byteLength - part.start,
            `bytes ${part.start}-${part.end - 1}`,
          )
        }
        await write(position, chunk)
        have += chunk.byteLength
        ctx.onBytes(chunk.byteLength)
      }
      response = undefined
      if (part.end === undefined || part.start + have === part.end) return have
      throw new NetworkError(
        `GET bytes ${from}-${part.end - 1}: the body ended after ${have - before} bytes`,
      )
    } catch (error) {
      response = undefined
      reader?.cancel().catch(() => {})
      if (ctx.signal.aborted) throw abortError(ctx.signal, 'download')
      if (!isTransient(error)) throw error
      if (have > before) failures = 0
      if (++failures > ctx.retries) throw error
      ctx.onRetry?.(error)
      await sleep(retryDelay(ctx.retryDelay, failures), ctx.signal)
    }
  }
  throw new RangeResponseError(`bytes ${part.start}-: too many attempts`)
}
