import { WharfError } from '@wharf/core-http'
import type { Digest } from './digest.js'

/** A digest string could not be parsed; the message names what was wrong. */
export class InvalidDigestError extends WharfError {
  /** The rejected input (cut to 100 characters). */
  readonly input: string
  constructor(input: unknown, reason: string) {
    const text = typeof input === 'string' ? input.slice(0, 100) : String(typeof input)
    super('ERR_INVALID_DIGEST', `invalid digest ${JSON.stringify(text)}: ${reason}`)
    this.input = text
  }
}

/** The bytes received do not hash to the expected digest. */
export class DigestMismatchError extends WharfError {
  readonly expected: Digest
  readonly actual: Digest
  /** How many bytes were hashed. */
  readonly bytes: number
  constructor(expected: Digest, actual: Digest, bytes: number) {
    super(
      'ERR_DIGEST_MISMATCH',
      `digest mismatch after ${bytes} bytes: expected ${expected}, got ${actual}`,
    )
    this.expected = expected
    this.actual = actual
    this.bytes = bytes
  }
}

/** More or fewer bytes arrived than were announced. */
export class SizeMismatchError extends WharfError {
  readonly expected: number
  /** Bytes seen so far: when too many arrive this is the first count past `expected`. */
  readonly actual: number
  constructor(expected: number, actual: number, what = 'content') {
    super(
      'ERR_SIZE_MISMATCH',
      `${what}: expected ${expected} bytes, ${actual > expected ? 'received more' : 'received only'} ${actual}`,
    )
    this.expected = expected
    this.actual = actual
  }
}

/** The server's answer to a ranged request is unusable (wrong `Content-Range`, wrong status). */
export class RangeResponseError extends WharfError {
  /** The HTTP status, when the status itself was the problem. */
  readonly status: number | undefined
  /** True for statuses worth another attempt (408, 429, 5xx). */
  readonly transient: boolean
  constructor(message: string, status?: number) {
    super('ERR_BAD_RANGE', message)
    this.status = status
    this.transient = status !== undefined && (status >= 500 || status === 408 || status === 429)
  }
}

/** Invalid options given to a transfer (bad sizes, missing source length). */
export class TransferOptionsError extends WharfError {
  constructor(message: string) {
    super('ERR_INVALID_OPTIONS', message)
  }
}
