import { HttpError, NetworkError, TimeoutError, toWharfError, WharfError } from '@wharf/core-http'
import { RangeResponseError } from './errors.js'

const TRANSIENT_STATUSES = new Set([408, 425, 429, 500, 502, 503, 504])

/**
 * The default test for errors worth another attempt: cut connections, timeouts, transient
 * HTTP statuses (also on a RangeResponseError), and errors that are not Wharf errors (unknown
 * adapter failures). Aborts, digest and size mismatches, bad ranges and other 4xx answers are
 * fatal.
 */
export function isTransient(error: unknown): boolean {
  if (error instanceof NetworkError || error instanceof TimeoutError) return true
  if (error instanceof HttpError) return TRANSIENT_STATUSES.has(error.status)
  if (error instanceof RangeResponseError) return error.transient
  return !(error instanceof WharfError) && (error as any)?.name !== 'AbortError'
}

/** Waits `ms` unless `signal` aborts first (then rejects with the abort error). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortError(signal))
    const onAbort = () => {
      clearTimeout(timer)
      reject(abortError(signal))
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

/** The error to surface for an aborted signal: its reason when that is a Wharf error. */
export function abortError(signal: AbortSignal, what = 'transfer'): WharfError {
  return toWharfError(signal.reason, what, signal)
}

/** Throws the abort error when `signal` is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined, what = 'transfer'): void {
  if (signal?.aborted) throw abortError(signal, what)
}

/** Backoff before attempt `n` (1-based count of failures so far): base·2^(n-1), ±50 %, ≤ 10 s. */
export function retryDelay(base: number, failures: number): number {
  const wait = Math.min(10_000, base * 2 ** Math.max(0, failures - 1))
  return wait / 2 + Math.random() * (wait / 2)
}

/** A signal that fires when `parent` does or when `abort` is called. */
export function linkedController(parent: AbortSignal | undefined): AbortController {
  const controller = new AbortController()
  if (parent) {
    if (parent.aborted) controller.abort(parent.reason)
    else parent.addEventListener('abort', () => controller.abort(parent.reason), { once: true })
  }
  return controller
}

/**
 * Runs tasks from `next()` on `concurrency` workers until it returns undefined. The first
 * failure calls `onFatal` (to abort the others), stops new tasks and is rethrown.
 */
export async function runPool(
  concurrency: number,
  next: () => (() => Promise<void>) | undefined,
  onFatal: (error: unknown) => void,
): Promise<void> {
  let failure: { error: unknown } | undefined
  const worker = async () => {
    for (let task = next(); task && !failure; task = failure ? undefined : next()) {
      try {
        await task()
      } catch (error) {
        if (!failure) {
          failure = { error }
          onFatal(error)
        }
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  if (failure) throw failure.error
}
