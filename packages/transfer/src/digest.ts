import { InvalidDigestError } from './errors.js'

/** The hash algorithms Wharf verifies content with. */
export type DigestAlgorithm = 'sha256' | 'sha384' | 'sha512'

/** Hex length of each algorithm's digest. */
export const HEX_LENGTH: Readonly<Record<DigestAlgorithm, number>> = {
  sha256: 64,
  sha384: 96,
  sha512: 128,
}

/** True when `name` is a supported algorithm. */
export function isDigestAlgorithm(name: unknown): name is DigestAlgorithm {
  return typeof name === 'string' && Object.hasOwn(HEX_LENGTH, name)
}

function checkHex(input: string, algorithm: string, hex: string): void {
  if (!isDigestAlgorithm(algorithm)) {
    throw new InvalidDigestError(
      input,
      `unknown algorithm ${JSON.stringify(algorithm.slice(0, 20))} (supported: ${Object.keys(HEX_LENGTH).join(', ')})`,
    )
  }
  const bad = hex.search(/[^0-9a-f]/)
  if (bad >= 0) {
    throw new InvalidDigestError(
      input,
      `bad character ${JSON.stringify(hex[bad])} at position ${bad} of the hex part (lowercase 0-9a-f only)`,
    )
  }
  if (hex.length !== HEX_LENGTH[algorithm]) {
    throw new InvalidDigestError(
      input,
      `wrong hex length for ${algorithm}: ${hex.length} characters, expected ${HEX_LENGTH[algorithm]}`,
    )
  }
}

/** A content digest: an algorithm and the lowercase hex of the hash. */
export class Digest {
  readonly algorithm: DigestAlgorithm
  readonly hex: string

  /** Validates `hex` for `algorithm`; throws InvalidDigestError when it does not fit. */
  constructor(algorithm: DigestAlgorithm, hex: string) {
    checkHex(`${algorithm}:${hex}`, String(algorithm), String(hex))
    this.algorithm = algorithm
    this.hex = hex
  }

  /** The OCI form, `sha256:<hex>`. */
  toString(): string {
    return `${this.algorithm}:${this.hex}`
  }

  /** The Sylabs library form, `sha256.<hex>`. */
  toLibraryString(): string {
    return `${this.algorithm}.${this.hex}`
  }

  /** JSON carries the OCI form. */
  toJSON(): string {
    return this.toString()
  }

  /** Same algorithm and hash; a string is parsed first (an invalid one is never equal). */
  equals(other: Digest | string): boolean {
    let d: Digest
    try {
      d = parseDigest(other)
    } catch {
      return false
    }
    return d.algorithm === this.algorithm && d.hex === this.hex
  }
}

/**
 * Parses `algorithm:hex` (OCI) or `algorithm.hex` (Sylabs library); a Digest (even from another
 * copy of this package) is returned validated. Throws InvalidDigestError
 * naming the problem: missing separator, unknown algorithm, bad characters, wrong length.
 */
export function parseDigest(input: Digest | string): Digest {
  if (input instanceof Digest) return input
  const like = input as { algorithm?: unknown; hex?: unknown } | null
  if (typeof like === 'object' && like !== null && typeof like.hex === 'string') {
    // A Digest from another copy of this package: validate and adopt it.
    return new Digest(like.algorithm as DigestAlgorithm, like.hex)
  }
  if (typeof input !== 'string') throw new InvalidDigestError(input, 'not a string')
  const match = /^([a-z0-9]+)[:.](.*)$/s.exec(input)
  if (!match) {
    throw new InvalidDigestError(input, 'expected "<algorithm>:<hex>" or "<algorithm>.<hex>"')
  }
  const [, algorithm, hex] = match as unknown as [string, string, string]
  checkHex(input, algorithm, hex)
  return new Digest(algorithm as DigestAlgorithm, hex)
}
