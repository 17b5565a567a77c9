import { linkedController, runPool, throwIfAborted } from './attempts.js'
import type { Digest } from './digest.js'
import { checkSize, positive } from './options.js'
import { type ProgressListener, progressReporter } from './progress.js'
import { type FetchRange, fetchPart, type Probe, probe, type RangeContext } from './ranges.js'
import { verifyingStream } from './verify.js'

/** Options shared by the downloaders. */
export interface DownloadOptions {
  /** Fetches the object or a byte range of it (see {@link FetchRange}). */
  fetchRange: FetchRange
  /** The expected size, when known (a descriptor's `size`): checked against the server's. */
  size?: number
  /** Parts fetched at once (default 4). */
  concurrency?: number
  /** Bytes per Range request (default 5 MiB); objects up to this size take one request. */
  partSize?: number
  /** The digest the object must have; verified before anything is handed over as complete. */
  expected?: Digest | string
  /** Failures in a row without new bytes tolerated per part (default 5). */
  retries?: number
  /** Base wait between attempts in ms, doubling (default 250). */
  retryDelay?: number
  signal?: AbortSignal
  /** Throttled progress: start, progress, part, done, error. */
  onProgress?: ProgressListener
}

/** 5 MiB. */
export const DEFAULT_PART_SIZE = 5 * 1024 * 1024

/** The parts of an object: `[start, end)` ranges, one open-ended part when the size is unknown. */
export function planParts(
  p: Pick<Probe, 'size' | 'ranged'>,
  partSize: number,
): Array<{ start: number; end: number | undefined; ranged: boolean }> {
  if (p.size === undefined) return [{ start: 0, end: undefined, ranged: false }]
  if (!p.ranged || p.size <= partSize) return [{ start: 0, end: p.size, ranged: p.ranged }]
  const parts = []
  for (let start = 0; start < p.size; start += partSize) {
    parts.push({ start, end: Math.min(p.size, start + partSize), ranged: true })
  }
  return parts
}

/** Validated common options and the pieces every downloader needs. */
export function prepare(options: DownloadOptions) {
  const partSize = positive(options.partSize ?? DEFAULT_PART_SIZE, 'partSize')
  const concurrency = positive(options.concurrency ?? 4, 'concurrency', 64)
  const size = checkSize(options.size)
  const retries = Math.max(0, Math.floor(options.retries ?? 5))
  const controller = linkedController(options.signal)
  const report = progressReporter(options.onProgress)
  const base = {
    fetchRange: options.fetchRange,
    signal: controller.signal,
    size,
    retries,
    retryDelay: options.retryDelay ?? 250,
  }
  return { partSize, concurrency, controller, report, base }
}

/** Makes a RangeContext from a probe, counting bytes for progress. */
export function rangeContext(
  base: ReturnType<typeof prepare>['base'],
  found: Probe,
  report: ProgressListener,
  start = 0,
): RangeContext {
  let transferred = start
  return {
    ...base,
    size: found.size,
    etag: found.etag,
    onRetry(error) {
      report({ type: 'error', error, retrying: true })
    },
    onBytes(n) {
      transferred += n
      report({
        type: 'progress',
        transferred,
        ...(found.size === undefined ? {} : { total: found.size }),
      })
    },
  }
}

/** Collects one part's chunks while it downloads, for in-order hand-over. */
class PartBuffer {
  chunks: Uint8Array[] = []
  done = false
  error: { error: unknown } | undefined
  #wake: (() => void) | undefined
  push(chunk: Uint8Array) {
    this.chunks.push(chunk)
    this.#notify()
  }
  finish(error?: unknown) {
    this.done = true
    if (error !== undefined) this.error = { error }
    this.#notify()
  }
  wait(): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve
    })
  }
  #notify() {
    const wake = this.#wake
    this.#wake = undefined
    wake?.()
  }
}

/**
 * Downloads an object as an in-order stream (for sinks that cannot write at an offset). Parts
 * are fetched concurrently with Range requests; the head part streams through, later ones wait
 * in memory (at most `concurrency × partSize`). A cut part resumes with a new Range; the digest
 * and size are verified as the stream ends (DigestMismatchError / SizeMismatchError).
 */
export function downloadStream(options: DownloadOptions): ReadableStream<Uint8Array> {
  const { partSize, concurrency, controller, report, base } = prepare(options)
  const verifier = verifyingStream({
    ...(options.expected === undefined ? {} : { expected: options.expected }),
    ...(options.size === undefined ? {} : { size: options.size }),
  })
  async function* produce(): AsyncGenerator<Uint8Array> {
    const found = await probe(base, partSize)
    report({ type: 'start', ...(found.size === undefined ? {} : { total: found.size }) })
    if (found.size === 0) {
      found.first.body?.cancel().catch(() => {})
      return
    }
    const ctx = rangeContext(base, found, report)
    const parts = planParts(found, partSize)
    const buffers = parts.map(() => new PartBuffer())
    let consumed = 0
    let next = 0
    let waiters: Array<() => void> = []
    const wakeAll = () => {
      const wake = waiters
      waiters = []
      for (const w of wake) w()
    }
    controller.signal.addEventListener('abort', wakeAll, { once: true })
    const pool = runPool(
      concurrency,
      () => {
        if (next >= parts.length) return undefined
        const index = next++
        return async () => {
          // Stay within `concurrency` parts of the consumer: bounded memory.
          for (let i = 0; index >= consumed + concurrency && i <= parts.length; i++) {
            throwIfAborted(controller.signal, 'download')
            await new Promise<void>((resolve) => waiters.push(resolve))
          }
          throwIfAborted(controller.signal, 'download')
          const part = parts[index]!
          const buffer = buffers[index]!
          try {
            const size = await fetchPart(ctx, part, (_, bytes) => buffer.push(bytes), {
              ...(index === 0 ? { first: found.first } : {}),
            })
            buffer.finish()
            report({ type: 'part', partNumber: index + 1, size })
          } catch (error) {
            buffer.finish(error)
            throw error
          }
        }
      },
      (error) => controller.abort(error),
    )
    pool.catch(() => {})
    for (let index = 0; index < parts.length; index++) {
      const buffer = buffers[index]!
      for (;;) {
        const chunk = buffer.chunks.shift()
        if (chunk) {
          yield chunk
          continue
        }
        if (buffer.error) throw buffer.error.error
        if (buffer.done) break
        await buffer.wait()
      }
      consumed = index + 1
      wakeAll()
    }
    await pool
  }
  const source = produce()
  const raw = new ReadableStream<Uint8Array>(
    {
      async pull(c) {
        try {
          const { done, value } = await source.next()
          if (done) c.close()
          else c.enqueue(value)
        } catch (error) {
          controller.abort(error)
          c.error(error)
        }
      },
      async cancel(reason) {
        controller.abort(reason)
        await source.return(undefined)
      },
    },
    { highWaterMark: 0 },
  )
  verifier.result.then(
    ({ size }) => report({ type: 'done', transferred: size }),
    (error) => report({ type: 'error', error }),
  )
  return raw.pipeThrough(verifier)
}
