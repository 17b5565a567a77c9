/** A success envelope, `{"data": …}`, as the library wraps every answer. */
export function ok(data: unknown, status = 200): Response {
  return Response.json({ data }, { status })
}

/** A failure envelope, `{"error": {"code": N, "message": "…"}}`. */
export function fail(status: number, message: string, headers: HeadersInit = {}): Response {
  return Response.json({ error: { code: status, message } }, { status, headers })
}

/** Thrown by handlers to answer with a failure envelope. */
export class Reply extends Error {
  constructor(readonly response: Response) {
    super(`mock reply ${response.status}`)
  }
}

/** Stops the handler with a failure envelope. */
export function refuse(status: number, message: string): never {
  throw new Reply(fail(status, message))
}

/** The request body as JSON; the Go client sends no Content-Type, so none is required. */
export async function readJson(request: Request): Promise<Record<string, unknown>> {
  const text = await request.text()
  try {
    const value = JSON.parse(text)
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value
  } catch {
    // answered below
  }
  return refuse(400, `request body is not a JSON object: ${JSON.stringify(text.slice(0, 60))}`)
}

/** A string field of a JSON body, or a 400. */
export function field(body: Record<string, unknown>, name: string, optional = false): string {
  const value = body[name]
  if (value === undefined && optional) return ''
  if (typeof value !== 'string')
    return refuse(400, `field ${JSON.stringify(name)} must be a string`)
  return value
}

/** A non-negative integer field of a JSON body, or a 400. */
export function integer(body: Record<string, unknown>, name: string): number {
  const value = body[name]
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    return refuse(400, `field ${JSON.stringify(name)} must be a non-negative integer`)
  }
  return value
}

/** Lowercase hex SHA-256 of bytes, with Web Crypto (the mock shares no code with the client). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as BufferSource))
  return [...hash].map((b) => b.toString(16).padStart(2, '0')).join('')
}

/** A random id of `bytes` bytes in hex (24 hex characters, like a Mongo ObjectID, by default). */
export function randomId(bytes = 12): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('')
}

/** The whole request body, refusing bodies whose length differs from `Content-Length`. */
export async function readBytes(request: Request): Promise<Uint8Array> {
  const bytes = new Uint8Array(await request.arrayBuffer())
  const declared = request.headers.get('content-length')
  if (declared !== null && Number(declared) !== bytes.byteLength) {
    refuse(400, `Content-Length ${declared} but ${bytes.byteLength} bytes arrived`)
  }
  return bytes
}
