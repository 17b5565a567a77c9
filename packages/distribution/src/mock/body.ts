/** Where bytes read are accounted (the store's budget). */
export interface Budget {
  reserve(n: number): boolean
  release(n: number): void
}

/** A budget that never runs out, for small bounded reads. */
const UNBUDGETED: Budget = { reserve: () => true, release: () => {} }

/** Result of reading a request body against a limit and the store's budget. */
export type ReadResult =
  | { ok: true; chunks: Uint8Array[]; size: number }
  | { ok: false; reason: 'limit' | 'budget' }

/**
 * Streams a request body into chunks, reserving each chunk in the budget and stopping at
 * `limit` bytes. On failure nothing stays reserved and the rest of the body is cancelled.
 */
export async function readBody(
  request: Request,
  limit: number,
  store: Budget = UNBUDGETED,
): Promise<ReadResult> {
  const chunks: Uint8Array[] = []
  let size = 0
  if (!request.body) return { ok: true, chunks, size }
  const reader = request.body.getReader()
  const stop = async (reason: 'limit' | 'budget'): Promise<ReadResult> => {
    store.release(size)
    // Not awaited: cancelling may wait for a client that never finishes sending.
    reader.cancel().catch(() => {})
    return { ok: false, reason }
  }
  try {
    for (;;) {
      const { done, value: read } = await reader.read()
      if (done) return { ok: true, chunks, size }
      // A small view into a large buffer (a socket read) would pin the whole buffer: copy it.
      const value = read.buffer.byteLength > 2 * read.byteLength ? read.slice() : read
      if (size + value.byteLength > limit) return stop('limit')
      if (!store.reserve(value.byteLength)) return stop('budget')
      chunks.push(value)
      size += value.byteLength
    }
  } catch (error) {
    // The client went away mid-body: give back what was reserved.
    store.release(size)
    throw error
  }
}

/** Most bytes read (and dropped) from a refused request before its body is cancelled. */
const DRAIN_LIMIT = 8 * 1024 * 1024

/**
 * Reads and drops the body of a request answered without it, so a real HTTP client sees the
 * answer instead of a reset connection; a body larger than 8 MiB is cancelled instead.
 */
export async function discardBody(request: Request): Promise<void> {
  if (!request.body || request.bodyUsed || request.body.locked) return
  const reader = request.body.getReader()
  let seen = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      seen += value.byteLength
      if (seen > DRAIN_LIMIT) {
        reader.cancel().catch(() => {})
        return
      }
    }
  } catch {
    // the client went away: nothing to drain
  }
}

/** Joins chunks into one array (no copy for a single chunk). */
export function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!
  const out = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.byteLength
  }
  return out
}

/** A body that sends `text` and then fails, dropping the connection (a broken server). */
export function brokenBody(text: string): ReadableStream<Uint8Array> {
  let sent = false
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!sent) {
        sent = true
        controller.enqueue(new TextEncoder().encode(text))
        return
      }
      // Let the bytes already written leave before the connection drops.
      await new Promise((resolve) => setTimeout(resolve, 20))
      controller.error(new Error('body broken off by the mock registry'))
    },
  })
}

/** A body stream over `bytes` in 64 KiB slices. */
export function streamBytes(bytes: Uint8Array): ReadableStream<Uint8Array> {
  const slice = 64 * 1024
  let offset = 0
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.byteLength) {
        controller.close()
        return
      }
      controller.enqueue(bytes.subarray(offset, offset + slice))
      offset += slice
    },
  })
}
