import { AbortError, BodyTooLargeError, NetworkError, TimeoutError, WharfError } from './errors.js'

/** Turns whatever a fetch or a body read threw into a Wharf error. */
export function toWharfError(error: unknown, what: string, signal?: AbortSignal): WharfError {
  if (error instanceof WharfError) return error
  if (signal?.aborted) {
    const reason = signal.reason
    if (reason instanceof WharfError) return reason
    return new AbortError(what, reason)
  }
  const e = error as any
  if (e?.name === 'AbortError') return new AbortError(what, error)
  return new NetworkError(`${what}: ${describeNetworkFailure(error)}`, { cause: error })
}

function describeNetworkFailure(error: unknown): string {
  const parts: string[] = []
  let e: any = error
  for (let depth = 0; e && depth < 4; depth++, e = e.cause) {
    const text = e.code ? `${e.message ?? ''} (${e.code})` : String(e.message ?? e)
    if (text && !parts.includes(text)) parts.push(text)
  }
  return parts.join(': ') || 'connection failed'
}

/** Options for {@link guardStream}. */
export interface GuardOptions {
  /** No bytes for this many ms fails the stream with a TimeoutError. */
  idleTimeout?: number | false
  /** What is being read, for error messages (method and redacted URL). */
  what: string
  /** The request's signal: an abort surfaces as AbortError or the reason's own error. */
  signal?: AbortSignal
  /** Called when the idle timeout trips, to abort the underlying request. */
  onIdle?: (error: TimeoutError) => void
  /** Called once when the stream ends, errors or is cancelled. */
  onSettled?: () => void
}

/**
 * Wraps a response body so that a silent server trips an idle timeout and every failure
 * surfaces as a typed Wharf error (NetworkError for a cut connection).
 */
export function guardStream(
  source: ReadableStream<Uint8Array>,
  options: GuardOptions,
): ReadableStream<Uint8Array> {
  const reader = source.getReader()
  const { idleTimeout, what, signal } = options
  const idle = typeof idleTimeout === 'number' && idleTimeout > 0 ? idleTimeout : 0
  let settled = false
  let timer: ReturnType<typeof setTimeout> | undefined
  let readStarted = -1
  let idleError: TimeoutError | undefined
  const settle = () => {
    if (settled) return
    settled = true
    if (timer !== undefined) clearTimeout(timer)
    options.onSettled?.()
  }
  // One timer for the whole stream: it only trips while a read is pending, so a slow
  // consumer is never mistaken for a silent server.
  const arm = (wait: number) => {
    timer = setTimeout(() => {
      const waited = readStarted < 0 ? 0 : performance.now() - readStarted
      if (waited + 1 < idle) return arm(idle - waited)
      idleError = new TimeoutError('body', idle, what)
      options.onIdle?.(idleError)
      reader.cancel(idleError).catch(() => {})
    }, wait)
    ;(timer as any).unref?.()
  }
  return new ReadableStream<Uint8Array>(
    {
      start() {
        if (idle) arm(idle)
      },
      async pull(controller) {
        try {
          readStarted = performance.now()
          const { done, value } = await reader.read()
          readStarted = -1
          if (idleError) throw idleError
          if (done) {
            settle()
            controller.close()
            return
          }
          controller.enqueue(value)
        } catch (error) {
          settle()
          controller.error(idleError ?? toWharfError(error, what, signal))
        }
      },
      cancel(reason) {
        settle()
        return reader.cancel(reason)
      },
    },
    { highWaterMark: 0 },
  )
}

/** Joins byte chunks into one array (the chunk itself when there is only one). */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0))
  let offset = 0
  for (const c of chunks) {
    out.set(c, offset)
    offset += c.byteLength
  }
  return out
}

/** Reads a whole stream into memory, failing with BodyTooLargeError past `limit` bytes. */
export async function readLimited(
  stream: ReadableStream<Uint8Array>,
  limit: number,
  what: string,
): Promise<Uint8Array> {
  const reader = stream.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > limit) {
      // Not awaited: a cancel can wait on a server that never finishes its body.
      reader.cancel().catch(() => {})
      throw new BodyTooLargeError(what, limit)
    }
    chunks.push(value)
  }
  return concatBytes(chunks)
}

/** Reads at most `limit` bytes of a stream and cancels the rest (for error bodies). */
export async function readPrefix(
  stream: ReadableStream<Uint8Array>,
  limit: number,
): Promise<Uint8Array> {
  const reader = stream.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  try {
    while (total < limit) {
      const { done, value } = await reader.read()
      if (done) break
      const take = value.subarray(0, limit - total)
      chunks.push(take)
      total += take.byteLength
    }
  } finally {
    reader.cancel().catch(() => {})
  }
  return concatBytes(chunks)
}
