/**
 * Maps `items` through `fn` with at most `limit` calls in flight, keeping the order of
 * results. The first failure rejects the whole map; calls not yet started are skipped.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  let failed = false
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++
      try {
        results[i] = await fn(items[i]!, i)
      } catch (error) {
        failed = true
        throw error
      }
    }
  }
  const width = Math.max(1, Math.min(Math.floor(limit) || 1, items.length))
  await Promise.all(Array.from({ length: width }, worker))
  return results
}

/** A limiter: `run(fn)` starts `fn` when fewer than `limit` runs are in flight. */
export function limiter(limit: number): <R>(fn: () => Promise<R>) => Promise<R> {
  const width = Math.max(1, Math.floor(limit) || 1)
  let active = 0
  const waiting: Array<() => void> = []
  return async (fn) => {
    if (active >= width) await new Promise<void>((resolve) => waiting.push(resolve))
    active++
    try {
      return await fn()
    } finally {
      active--
      waiting.shift()?.()
    }
  }
}
