import { concat, discardBody, readBody } from './body.js'
import { type Context, located } from './context.js'
import { ALGORITHMS, computeDigest } from './digest.js'
import { fail } from './errors.js'
import { isDigest, isName } from './grammar.js'
import type { UploadSession } from './store.js'
import { checkVerifiable } from './validate.js'

/** Sessions untouched for this long are dropped when a new one starts. */
const SESSION_IDLE_MS = 15 * 60 * 1000

/** The `_state` token: the session secret, plus the offset when stale Locations are refused. */
const stateToken = (s: UploadSession) => (s.offsetInState ? `${s.state}.${s.size}` : s.state)
const uploadLocation = (s: UploadSession) =>
  `/v2/${s.repository}/blobs/uploads/${s.id}?_state=${stateToken(s)}`
const rangeHeader = (s: UploadSession) => `0-${Math.max(0, s.size - 1)}`

function sessionHeaders(s: UploadSession): Headers {
  return located(uploadLocation(s), { range: rangeHeader(s), 'docker-upload-uuid': s.id })
}

const budgetExceeded = (ctx: Context) =>
  fail(413, 'DENIED', `mock registry memory limit of ${ctx.options.maxBytes} bytes reached`)

function openSession(ctx: Context, name: string): Response {
  const { store, options } = ctx
  const now = options.now()
  for (const [id, s] of store.uploads) {
    if (now - s.touched > SESSION_IDLE_MS && !s.busy) store.dropUpload(id)
  }
  const session: UploadSession = {
    id: crypto.randomUUID(),
    repository: name,
    state: crypto.randomUUID().replaceAll('-', ''),
    chunks: [],
    size: 0,
    touched: now,
    busy: false,
    offsetInState: options.quirks.staleLocationInvalid,
  }
  store.uploads.set(session.id, session)
  const headers = sessionHeaders(session)
  if (options.chunkMinLength !== undefined) {
    headers.set('oci-chunk-min-length', String(options.chunkMinLength))
  }
  return new Response(null, { status: 202, headers })
}

/**
 * Verifies bytes against `digest` and links the blob into `name` (201), or releases them and
 * answers 400 DIGEST_INVALID. The bytes are already reserved in the store's budget.
 */
async function storeBlob(
  ctx: Context,
  name: string,
  digest: string,
  chunks: Uint8Array[],
  size: number,
): Promise<Response> {
  // Joining the pieces needs a second copy for a moment: it must fit in the budget too.
  const copying = chunks.length > 1
  if (copying && !ctx.store.reserve(size)) {
    ctx.store.release(size)
    return budgetExceeded(ctx)
  }
  const bytes = concat(chunks, size)
  chunks.length = 0
  if (copying) ctx.store.release(size)
  const algorithm = digest.slice(0, digest.indexOf(':'))
  const actual = await computeDigest(algorithm, bytes)
  if (actual !== digest) {
    ctx.store.release(size)
    return fail(400, 'DIGEST_INVALID', `content digest is ${actual}, not ${digest}`, { digest })
  }
  ctx.store.linkBlob(name, digest, bytes)
  return new Response(null, {
    status: 201,
    headers: located(`/v2/${name}/blobs/${digest}`, { 'docker-content-digest': digest }),
  })
}

function tryMount(ctx: Context, name: string): Response | undefined {
  const { url, store, access, options } = ctx
  const digest = url.searchParams.get('mount') ?? ''
  const from = url.searchParams.get('from')
  if (!isDigest(digest)) return undefined
  const linked =
    from !== null
      ? isName(from) &&
        access.can({ type: 'repository', name: from }, 'pull') &&
        store.blob(from, digest) !== undefined
      : options.automaticCrossMount && store.blobs.has(digest)
  if (!linked) return undefined
  store.linkBlob(name, digest)
  return new Response(null, {
    status: 201,
    headers: located(`/v2/${name}/blobs/${digest}`, { 'docker-content-digest': digest }),
  })
}

/**
 * `POST /v2/<name>/blobs/uploads/`: a cross-repository mount (`?mount=&from=`, 201 or a 202
 * session), a single-POST upload (`?digest=`, 201, or 202 when disabled), or a new session (202).
 */
export async function startUpload(ctx: Context, name: string): Promise<Response> {
  const { request, url, options, store } = ctx
  if (request.method !== 'POST') return fail(405, 'UNSUPPORTED', `${request.method} not allowed`)
  if (url.searchParams.has('mount')) return tryMount(ctx, name) ?? openSession(ctx, name)
  const algorithm = url.searchParams.get('digest-algorithm')
  if (algorithm !== null && !ALGORITHMS[algorithm]) {
    return fail(400, 'DIGEST_INVALID', `unsupported digest algorithm ${JSON.stringify(algorithm)}`)
  }
  const digest = url.searchParams.get('digest')
  if (digest === null || !options.singlePostUpload) {
    await discardBody(request)
    return openSession(ctx, name)
  }
  const bad = checkVerifiable(digest)
  if (bad) return bad
  const read = await readBody(request, options.maxBytes, store)
  if (!read.ok) return budgetExceeded(ctx)
  return storeBlob(ctx, name, digest, read.chunks, read.size)
}

/** Parses an upload `Content-Range` (`<first>-<last>`; a `bytes ` prefix is tolerated). */
function parseContentRange(value: string): { start: number; end: number } | undefined {
  const match = /^(?:bytes[ =])?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/.exec(value.trim())
  if (!match) return undefined
  const start = Number(match[1])
  const end = Number(match[2])
  return end >= start ? { start, end } : undefined
}

function rangeInvalid(session: UploadSession, message: string): Response {
  return fail(416, 'RANGE_INVALID', message, undefined, sessionHeaders(session))
}

/**
 * Appends the request body to a session, honouring `Content-Range` when present. Returns an
 * error answer, or undefined when the bytes were appended.
 */
async function appendBody(ctx: Context, session: UploadSession): Promise<Response | undefined> {
  const { request, store, options } = ctx
  const rangeValue = options.quirks.ignoreContentRange ? null : request.headers.get('content-range')
  let expected: number | undefined
  if (rangeValue !== null) {
    const range = parseContentRange(rangeValue)
    if (!range) return rangeInvalid(session, `malformed Content-Range ${rangeValue}`)
    if (range.start !== session.size) {
      return rangeInvalid(session, `chunk starts at ${range.start}, upload holds ${session.size}`)
    }
    expected = range.end - range.start + 1
    const length = request.headers.get('content-length')
    if (length !== null && Number(length) !== expected) {
      return fail(400, 'SIZE_INVALID', `Content-Length ${length} disagrees with ${rangeValue}`)
    }
  }
  const read = await readBody(request, expected ?? options.maxBytes, store)
  if (!read.ok) {
    return read.reason === 'budget'
      ? budgetExceeded(ctx)
      : fail(400, 'SIZE_INVALID', `body longer than Content-Range ${rangeValue}`)
  }
  if (store.uploads.get(session.id) !== session) {
    // Cancelled (or the registry reset) while the body was arriving.
    store.release(read.size)
    return fail(404, 'BLOB_UPLOAD_UNKNOWN', undefined, { id: session.id })
  }
  if (expected !== undefined && read.size !== expected) {
    store.release(read.size)
    return fail(400, 'SIZE_INVALID', `got ${read.size} bytes for Content-Range ${rangeValue}`)
  }
  session.chunks.push(...read.chunks)
  session.size += read.size
  return undefined
}

/**
 * `/v2/<name>/blobs/uploads/<id>`: PATCH appends a chunk (202), PUT closes with `?digest=`
 * (201), GET reports progress (204), DELETE cancels (204).
 */
export async function uploadEndpoint(ctx: Context, name: string, id: string): Promise<Response> {
  const { request, url, store, options } = ctx
  const session = store.uploads.get(id)
  const state = url.searchParams.get('_state') ?? ''
  if (!session || session.repository !== name || state.split('.')[0] !== session.state) {
    return fail(404, 'BLOB_UPLOAD_UNKNOWN', undefined, { id })
  }
  if (state !== stateToken(session)) {
    // The 2.8 reference server refuses a Location from before the last write (the session
    // itself survives: its current Location still works).
    return fail(404, 'BLOB_UPLOAD_INVALID', 'stale upload Location', { id })
  }
  const writing = request.method === 'PATCH' || request.method === 'PUT'
  if (writing && session.busy) {
    return rangeInvalid(session, 'another request is writing to this upload')
  }
  session.touched = options.now()
  switch (request.method) {
    case 'GET':
    case 'HEAD':
      return new Response(null, { status: 204, headers: sessionHeaders(session) })
    case 'DELETE':
      store.dropUpload(id)
      return new Response(null, { status: 204, headers: { 'content-length': '0' } })
    case 'PATCH': {
      session.busy = true
      const failed = await appendBody(ctx, session).finally(() => {
        session.busy = false
      })
      return failed ?? new Response(null, { status: 202, headers: sessionHeaders(session) })
    }
    case 'PUT':
      return closeUpload(ctx, session)
    default:
      return fail(405, 'UNSUPPORTED', `${request.method} not allowed on an upload`)
  }
}

async function closeUpload(ctx: Context, session: UploadSession): Promise<Response> {
  const { url, store } = ctx
  const digest = url.searchParams.get('digest')
  const bad = checkVerifiable(digest)
  if (bad) {
    store.dropUpload(session.id)
    return bad
  }
  session.busy = true
  const failed = await appendBody(ctx, session).finally(() => {
    session.busy = false
  })
  if (failed) {
    if (failed.status !== 416) store.dropUpload(session.id)
    return failed
  }
  store.uploads.delete(session.id)
  return storeBlob(ctx, session.repository, digest!, session.chunks, session.size)
}
