/**
 * One event of a transfer's life. `transferred` is a running total of bytes and may go down
 * after a retry; `total` is known when the size is. Uploads report `uploadId` and `expiresAt`
 * on start when the protocol has them. An `error` with `retrying: true` is a failure the
 * transfer recovers from (it tries again); without it the transfer has failed.
 */
export type ProgressEvent =
  | { type: 'start'; total?: number; uploadId?: string; expiresAt?: Date }
  | { type: 'progress'; transferred: number; total?: number }
  | { type: 'part'; partNumber: number; size: number }
  | { type: 'finalizing' }
  | { type: 'done'; transferred: number }
  | { type: 'error'; error: unknown; retrying?: boolean }

/** Receives progress events. A listener that throws never breaks the transfer. */
export type ProgressListener = (event: ProgressEvent) => void

/**
 * Limits `progress` events to `perSecond` (default 10); the latest skipped one is delivered
 * when the interval ends or right before any other event. `start`, `part`, `finalizing`,
 * `done` and `error` are always delivered, in order.
 */
export function throttleProgress(listener: ProgressListener, perSecond = 10): ProgressListener {
  const interval = perSecond > 0 ? 1000 / perSecond : 0
  let last = Number.NEGATIVE_INFINITY
  let pending: ProgressEvent | undefined
  let timer: ReturnType<typeof setTimeout> | undefined
  const deliver = (event: ProgressEvent) => {
    try {
      listener(event)
    } catch {
      // A failing listener must not break the transfer it watches.
    }
  }
  const flush = () => {
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
    if (pending) {
      const event = pending
      pending = undefined
      last = performance.now()
      deliver(event)
    }
  }
  return (event) => {
    if (event.type !== 'progress') {
      flush()
      deliver(event)
      return
    }
    const now = performance.now()
    if (now - last >= interval) {
      pending = undefined
      if (timer !== undefined) clearTimeout(timer)
      timer = undefined
      last = now
      deliver(event)
      return
    }
    pending = event
    if (timer === undefined) {
      timer = setTimeout(flush, Math.max(0, last + interval - now))
      ;(timer as any).unref?.()
    }
  }
}

/** A listener that calls `listener` safely (throttled) or does nothing when there is none. */
export function progressReporter(listener: ProgressListener | undefined): ProgressListener {
  return listener ? throttleProgress(listener) : () => {}
}
