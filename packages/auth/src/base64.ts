/** Standard padded base64 of the UTF-8 bytes of `text` (or of raw bytes). */
export function toBase64(input: string | Uint8Array): string {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  }
  return btoa(binary)
}

/** Unpadded base64url of raw bytes. */
export function toBase64Url(bytes: Uint8Array): string {
  return toBase64(bytes).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')
}

/** Decodes base64 in either alphabet, padded or not; undefined when it is not base64. */
export function fromBase64(text: string): Uint8Array | undefined {
  const std = text.trim().replaceAll('-', '+').replaceAll('_', '/')
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(std)) return undefined
  try {
    const binary = atob(
      std.replace(/=+$/, '').padEnd(Math.ceil(std.replace(/=+$/, '').length / 4) * 4, '='),
    )
    return Uint8Array.from(binary, (c) => c.charCodeAt(0))
  } catch {
    return undefined
  }
}

/** The `Authorization` value for basic credentials (UTF-8, as RFC 7617 recommends). */
export function basicHeader(username: string, password: string): string {
  return `Basic ${toBase64(`${username}:${password}`)}`
}
