/** Small response and request helpers shared by the mock's handlers (written from the reference). */
import { BodyTooLargeError, readLimited } from '@wharf/core-http'

/** A JSON response. */
export function json(body: unknown, status = 200, headers: HeadersInit = {}): Response {
  const h = new Headers(headers)
  h.set('content-type', 'application/json')
  return new Response(status === 204 ? null : JSON.stringify(body), { status, headers: h })
}

/** A V1-style error: `{"error": "<message>"}`. */
export function v1Error(status: number, message: string, headers: HeadersInit = {}): Response {
  return json({ error: message }, status, headers)
}

/** Lower-case hex SHA-256 of some bytes (WebCrypto, so the mock stays portable). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as BufferSource))
  return Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join('')
}

/** Decodes `Authorization: Basic …`; undefined when absent or malformed. */
export function parseBasic(
  header: string | null,
): { username: string; password: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '')
  if (!m) return undefined
  let text: string
  try {
    text = new TextDecoder().decode(Uint8Array.from(atob(m[1]!), (c) => c.charCodeAt(0)))
  } catch {
    return undefined
  }
  const colon = text.indexOf(':')
  return colon < 0 ? undefined : { username: text.slice(0, colon), password: text.slice(colon + 1) }
}

/** Reads a request body whole, refusing more than `limit` bytes (undefined then). */
export async function readBody(request: Request, limit: number): Promise<Uint8Array | undefined> {
  if (!request.body) return new Uint8Array(0)
  try {
    return await readLimited(request.body, limit, 'request body')
  } catch (error) {
    if (error instanceof BodyTooLargeError) return undefined
    throw error
  }
}

/** A random lower-case hex string of `bytes` bytes. */
export function randomHex(bytes = 16): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('')
}
