import { TransferOptionsError } from './errors.js'

/** Checks an integer option in `[1, max]`; returns it. */
export function positive(value: number, name: string, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new TransferOptionsError(
      `${name} must be an integer from 1 to ${max}, got ${String(value)}`,
    )
  }
  return value
}

/** Checks an optional byte count (a non-negative integer); returns it. */
export function checkSize(size: number | undefined, name = 'size'): number | undefined {
  if (size !== undefined && !(Number.isSafeInteger(size) && size >= 0)) {
    throw new TransferOptionsError(`${name} must be a non-negative integer, got ${String(size)}`)
  }
  return size
}
