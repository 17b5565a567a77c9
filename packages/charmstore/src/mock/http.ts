/** Replies and errors in the store's wire format (`{Message, Code, Info}`, always `application/json`). */

const STATUS: Record<string, number> = {
  'not found': 404,
  'metadata not found': 404,
  forbidden: 403,
  'bad request': 400,
  'invalid charm or bundle': 400,
  'charm or bundle id not allowed': 403,
  unauthorized: 401,
  'method not allowed': 405,
  'duplicate upload': 500,
  'multiple errors': 500,
  'macaroon discharge required': 401,
  'interaction required': 401,
  'permission denied': 403,
}

/** An error the mock answers with; thrown anywhere inside a handler. */
export class StoreError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly info?: unknown,
    readonly status = STATUS[code] ?? 500,
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
  }
}

/** Throws a StoreError. */
export function fail(code: string, message: string, info?: unknown): never {
  throw new StoreError(code, message, info)
}

/** A JSON reply with exactly `Content-Type: application/json`. */
export function json(value: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  })
}

/** An empty 200 reply. */
export function ok(): Response {
  return new Response(null, { status: 200 })
}

/** The error body for a StoreError. */
export function errorResponse(error: StoreError): Response {
  const body: Record<string, unknown> = { Message: error.message, Code: error.code }
  if (error.info !== undefined) body.Info = error.info
  return json(body, error.status, error.headers)
}

/** Reads a request body up to `limit` bytes (400 beyond it, without reading further). */
export async function readBody(request: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN)
  if (declared > limit)
    fail('bad request', `body of ${declared} bytes exceeds the limit of ${limit}`)
  if (!request.body) return new Uint8Array(0)
  const chunks: Uint8Array[] = []
  let total = 0
  const reader = request.body.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > limit) {
      await reader.cancel()
      fail('bad request', `body exceeds the limit of ${limit} bytes`)
    }
    chunks.push(value)
  }
  const out = new Uint8Array(total)
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.byteLength
  }
  return out
}

/** Parses a JSON request body (400 when malformed). */
export async function readJson(request: Request, limit = 1 << 20): Promise<any> {
  const text = new TextDecoder().decode(await readBody(request, limit))
  try {
    return JSON.parse(text)
  } catch {
    return fail('bad request', 'cannot unmarshal request body: invalid JSON')
  }
}

/** Lowercase hex of a hash computed with Web Crypto. */
export async function hexDigest(
  algorithm: 'SHA-384' | 'SHA-256',
  bytes: Uint8Array,
): Promise<string> {
  const sum = new Uint8Array(await crypto.subtle.digest(algorithm, bytes as BufferSource))
  return Array.from(sum, (b) => b.toString(16).padStart(2, '0')).join('')
}

/** Parses a boolean query flag: `1` true; `0` or empty false; anything else is a 400. */
export function flag(params: URLSearchParams, name: string): boolean {
  const v = params.get(name)
  if (v === null || v === '' || v === '0') return false
  if (v === '1') return true
  return fail('bad request', `invalid value for ${name}: ${JSON.stringify(v)}`)
}
