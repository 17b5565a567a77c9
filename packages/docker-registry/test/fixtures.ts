import { createHash } from 'node:crypto'

/** The gzipped empty tar every schema 1 throwaway layer uses (reference §3.4). */
export const EMPTY_LAYER = Buffer.from(
  '1f8b080000096e8800ff621805a360148c5800080000ffff2eafb5ef00040000',
  'hex',
)
export const EMPTY_LAYER_DIGEST =
  'sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4'

export const sha256 = (bytes: Uint8Array | string) =>
  `sha256:${createHash('sha256').update(bytes).digest('hex')}`

/** The reference's worked example, with a name and tag of our choosing: payload, signed body, digest. */
export function schema1(name = 'acme/app', tag = 'v1') {
  const payload = `{
   "schemaVersion": 1,
   "name": "${name}",
   "tag": "${tag}",
   "architecture": "amd64",
   "fsLayers": [
      {
         "blobSum": "${EMPTY_LAYER_DIGEST}"
      }
   ],
   "history": [
      {
         "v1Compatibility": "{\\"id\\":\\"3f1a\\",\\"created\\":\\"2020-01-01T00:00:00Z\\"}"
      }
   ]
}`
  const length = Buffer.byteLength(payload) - 2 // everything before "\n}"
  const protectedHeader = Buffer.from(
    JSON.stringify({ formatLength: length, formatTail: 'Cn0', time: '2020-01-01T00:00:00Z' }),
  ).toString('base64url')
  const signature = {
    header: { jwk: { crv: 'P-256', kty: 'EC', x: 'AAAA', y: 'AAAA' }, alg: 'ES256' },
    signature: 'c2lnbmF0dXJl',
    protected: protectedHeader,
  }
  const signed = `${payload.slice(0, length)},\n   "signatures": [\n      ${JSON.stringify(signature)}\n   ]\n}`
  return {
    payload: new TextEncoder().encode(payload),
    signed: new TextEncoder().encode(signed),
    protectedHeader,
    digest: sha256(payload),
    bodyDigest: sha256(signed),
  }
}
