import { json, sha256Hex } from './http.js'

/** Schema 1, unsigned. */
export const SCHEMA1 = 'application/vnd.docker.distribution.manifest.v1+json'
/** Schema 1, signed (JWS). */
export const SCHEMA1_SIGNED = 'application/vnd.docker.distribution.manifest.v1+prettyjws'

/** Schema 1 manifests the mock holds beside the distribution mock's store (which knows only schema 2 / OCI). */
export interface Schema1Store {
  /** Repository → digest → manifest, and tag → digest. */
  repositories: Map<
    string,
    { manifests: Map<string, { bytes: Uint8Array; mediaType: string }>; tags: Map<string, string> }
  >
}

/** A registry-style error envelope. */
export function registryError(
  status: number,
  code: string,
  message: string,
  detail?: unknown,
): Response {
  return json({ errors: [{ code, message, ...(detail === undefined ? {} : { detail }) }] }, status)
}

function base64UrlDecode(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined
  const std = text.replace(/-/g, '+').replace(/_/g, '/')
  try {
    return Uint8Array.from(atob(std.padEnd(Math.ceil(std.length / 4) * 4, '=')), (c) =>
      c.charCodeAt(0),
    )
  } catch {
    return undefined
  }
}

/**
 * The JWS payload of a signed schema 1 manifest (reference §3.5): every signature's protected
 * header must agree on `formatLength` and `formatTail`; the payload is the body's first
 * `formatLength` bytes followed by the decoded tail. Undefined when the signatures are unusable.
 */
export function signedPayload(
  bytes: Uint8Array,
  parsed: Record<string, unknown>,
): Uint8Array | undefined {
  const signatures = parsed.signatures
  if (!Array.isArray(signatures) || signatures.length === 0) return undefined
  let length: number | undefined
  let tail: string | undefined
  for (const s of signatures) {
    const header = typeof s?.protected === 'string' ? base64UrlDecode(s.protected) : undefined
    let value: any
    try {
      value = header && JSON.parse(new TextDecoder().decode(header))
    } catch {
      return undefined
    }
    if (!value || !Number.isSafeInteger(value.formatLength) || typeof value.formatTail !== 'string')
      return undefined
    if (length !== undefined && (length !== value.formatLength || tail !== value.formatTail))
      return undefined
    length = value.formatLength
    tail = value.formatTail
  }
  const end = base64UrlDecode(tail!)
  if (!end || length! < 0 || length! > bytes.byteLength) return undefined
  const payload = new Uint8Array(length! + end.byteLength)
  payload.set(bytes.subarray(0, length))
  payload.set(end, length)
  return payload
}

/** Validates a schema 1 PUT and returns its digest, or the error response. */
export async function checkSchema1(
  bytes: Uint8Array,
  mediaType: string,
  name: string,
  reference: string,
  hasBlob: (digest: string) => boolean,
): Promise<{ digest: string } | Response> {
  let parsed: any
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes))
  } catch {
    return registryError(400, 'MANIFEST_INVALID', 'manifest invalid: not JSON')
  }
  if (!parsed || typeof parsed !== 'object' || parsed.schemaVersion !== 1) {
    return registryError(400, 'MANIFEST_INVALID', 'manifest invalid: schemaVersion must be 1')
  }
  if (parsed.name !== name)
    return registryError(400, 'NAME_INVALID', 'manifest name did not match URI')
  if (!reference.includes(':') && parsed.tag !== reference) {
    return registryError(400, 'TAG_INVALID', 'manifest tag did not match URI')
  }
  const layers = parsed.fsLayers
  const history = parsed.history
  if (
    !Array.isArray(layers) ||
    !Array.isArray(history) ||
    !layers.length ||
    layers.length !== history.length
  ) {
    return registryError(
      400,
      'MANIFEST_INVALID',
      'manifest invalid: fsLayers and history must match in length',
    )
  }
  for (const layer of layers) {
    const sum = layer?.blobSum
    if (typeof sum !== 'string' || !/^sha256:[a-f0-9]{64}$/.test(sum)) {
      return registryError(400, 'MANIFEST_INVALID', 'manifest invalid: bad blobSum')
    }
    if (!hasBlob(sum))
      return registryError(400, 'MANIFEST_BLOB_UNKNOWN', 'blob unknown to registry', sum)
  }
  let payload = bytes
  if (mediaType === SCHEMA1_SIGNED) {
    const signed = signedPayload(bytes, parsed)
    if (!signed)
      return registryError(400, 'MANIFEST_UNVERIFIED', 'manifest failed signature verification')
    payload = signed
  }
  const digest = `sha256:${await sha256Hex(payload)}`
  if (reference.includes(':') && reference !== digest) {
    return registryError(400, 'DIGEST_INVALID', 'provided digest did not match uploaded content')
  }
  return { digest }
}
