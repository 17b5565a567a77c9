/** Digest algorithms the mock can verify, with their Web Crypto name and hex length. */
export const ALGORITHMS: Readonly<Record<string, { webCrypto: string; hexLength: number }>> = {
  sha256: { webCrypto: 'SHA-256', hexLength: 64 },
  sha512: { webCrypto: 'SHA-512', hexLength: 128 },
}

/** Why a syntactically valid digest cannot be verified, or undefined when it can. */
export function unverifiable(digest: string): string | undefined {
  const colon = digest.indexOf(':')
  const algorithm = digest.slice(0, colon)
  const spec = ALGORITHMS[algorithm]
  if (!spec) return `unsupported digest algorithm ${JSON.stringify(algorithm)}`
  const encoded = digest.slice(colon + 1)
  if (encoded.length !== spec.hexLength || !/^[a-f0-9]+$/.test(encoded)) {
    return `${algorithm} digest must be ${spec.hexLength} lowercase hex characters`
  }
  return undefined
}

/** `algorithm:hex` of `bytes`, computed with Web Crypto. */
export async function computeDigest(algorithm: string, bytes: Uint8Array): Promise<string> {
  const spec = ALGORITHMS[algorithm]
  if (!spec) throw new Error(`unsupported digest algorithm ${algorithm}`)
  const hash = new Uint8Array(await crypto.subtle.digest(spec.webCrypto, bytes as BufferSource))
  let hex = ''
  for (const byte of hash) hex += byte.toString(16).padStart(2, '0')
  return `${algorithm}:${hex}`
}
