import { BodyTooLargeError, readLimited } from '@wharf/core-http'

/** An error the fake server answers with: a status and a dr-provision error body. */
export class MockError extends Error {
  readonly status: number
  readonly body: { Model: string; Key: string; Type: string; Messages: string[]; Code: number }
  constructor(status: number, type: string, messages: string | string[], model = '', key = '') {
    const list = Array.isArray(messages) ? messages : [messages]
    super(list.join('; '))
    this.status = status
    this.body = { Model: model, Key: key, Type: type, Messages: list, Code: status }
  }
}

/** A JSON response as gin sends it. */
export function json(value: unknown, status = 200, headers: HeadersInit = {}): Response {
  const h = new Headers(headers)
  h.set('content-type', 'application/json; charset=utf-8')
  return new Response(JSON.stringify(value), { status, headers: h })
}

/** An empty response (204, and the bodiless 401/403). */
export function empty(status: number, headers: HeadersInit = {}): Response {
  return new Response(null, { status, headers })
}

/** An octet-stream response. */
export function bytes(data: Uint8Array, status = 200): Response {
  return new Response(data as BodyInit, {
    status,
    headers: {
      'content-type': 'application/octet-stream',
      'content-length': String(data.byteLength),
    },
  })
}

/** The error response for a MockError. */
export function errorResponse(error: MockError): Response {
  return json(error.body, error.status)
}

/** Reads a request body into memory, refusing more than `limit` bytes with a 413 MockError. */
export async function readBody(request: Request, limit: number, what: string): Promise<Uint8Array> {
  const length = Number(request.headers.get('content-length'))
  if (Number.isFinite(length) && length > limit) {
    throw new MockError(413, 'API ERROR', `${what}: body larger than ${limit} bytes`)
  }
  if (!request.body) return new Uint8Array(0)
  try {
    return await readLimited(request.body, limit, what)
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      throw new MockError(413, 'API ERROR', `${what}: body larger than ${limit} bytes`)
    }
    throw error
  }
}

/** Reads a JSON request body: the content type must be JSON; an empty body gives undefined. */
export async function readJson(request: Request, limit: number): Promise<unknown> {
  const type = request.headers.get('content-type') ?? ''
  const data = await readBody(request, limit, request.method)
  if (data.byteLength === 0) return undefined
  if (!type.includes('application/json')) {
    throw new MockError(400, request.method, `Invalid content type: ${type}`)
  }
  try {
    return JSON.parse(new TextDecoder().decode(data))
  } catch (error) {
    throw new MockError(400, request.method, (error as Error).message)
  }
}
