/** A byte range to serve, inclusive. */
export interface ByteRange {
  start: number
  end: number
}

/**
 * Reads a `Range` header against a size: a range to serve, `'unsatisfiable'` (416), or
 * undefined when the header is absent or not a single byte range (serve the whole body).
 */
export function parseRange(
  header: string | null,
  size: number,
): ByteRange | 'unsatisfiable' | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec((header ?? '').trim())
  if (!match || (match[1] === '' && match[2] === '')) return undefined
  const [first, last] = [match[1]!, match[2]!]
  if (first === '') {
    const suffix = Number(last)
    if (suffix === 0 || size === 0) return 'unsatisfiable'
    return { start: Math.max(0, size - suffix), end: size - 1 }
  }
  const start = Number(first)
  const end = last === '' ? size - 1 : Number(last)
  if (start >= size || end < start) return 'unsatisfiable'
  return { start, end: Math.min(end, size - 1) }
}
