import { type EventStream, EventStreamError } from './events.js'

/** A condition on an item's JSON form; throwing means the test failed. */
export type TestFunc = (item: unknown) => boolean

function plain(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value))
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  return (
    ka.length === kb.length &&
    ka.every((k) => Object.hasOwn(b, k) && deepEqual((a as any)[k], (b as any)[k]))
  )
}

/** True when the item's top-level `field` equals `value` (compared as JSON). */
export function equalItem(field: string, value: unknown): TestFunc {
  const want = plain(value)
  return (item) => {
    const obj = plain(item) as Record<string, unknown> | null
    if (typeof obj !== 'object' || obj === null || !Object.hasOwn(obj, field)) return false
    return deepEqual(obj[field], want)
  }
}

/** True when every test is. */
export function andItems(...tests: TestFunc[]): TestFunc {
  return (item) => tests.every((t) => t(item))
}

/** True when any test is. */
export function orItems(...tests: TestFunc[]): TestFunc {
  return (item) => tests.some((t) => t(item))
}

/** The negation of a test. */
export function notItem(test: TestFunc): TestFunc {
  return (item) => !test(item)
}

/** How {@link waitFor} ended. */
export type WaitResult<T> =
  | { status: 'complete'; item: T }
  | { status: 'timeout' }
  | { status: 'interrupt' }
  | { status: 'failed'; stage: 'test' | 'fill' | 'read'; error: unknown }

/** Options of {@link waitFor}. */
export interface WaitOptions {
  /** Give up after this many ms (default 1 day, like the CLI). */
  timeout?: number
  /** Abort waiting (status `interrupt`). */
  signal?: AbortSignal
}

/**
 * Waits until `test` holds for the object `prefix/key`: registers for its `update` and `save`
 * events, re-reads the object after each one and tests its JSON form.
 */
export async function waitFor<T = unknown>(
  stream: EventStream,
  prefix: string,
  key: string,
  test: TestFunc,
  options: WaitOptions = {},
): Promise<WaitResult<T>> {
  const timeout = options.timeout ?? 86_400_000
  const registration = await stream.register(`${prefix}.update.${key}`, `${prefix}.save.${key}`)
  const stop = new AbortController()
  const timer = setTimeout(() => stop.abort('timeout'), timeout)
  const onAbort = () => stop.abort('interrupt')
  options.signal?.addEventListener('abort', onAbort, { once: true })
  if (options.signal?.aborted) stop.abort('interrupt')
  try {
    for (let round = 0; round < 100_000; round++) {
      let item: T
      try {
        item = await stream.context.req().urlFor(prefix, key).signal(stop.signal).do<T>()
      } catch (error) {
        if (stop.signal.aborted) return { status: stop.signal.reason as 'timeout' | 'interrupt' }
        return { status: 'failed', stage: 'fill', error }
      }
      try {
        if (test(item)) return { status: 'complete', item }
      } catch (error) {
        return { status: 'failed', stage: 'test', error }
      }
      try {
        const event = await registration.next(stop.signal)
        if (!event && !stop.signal.aborted) {
          return {
            status: 'failed',
            stage: 'read',
            error: new EventStreamError('the event stream closed'),
          }
        }
      } catch (error) {
        if (!stop.signal.aborted) return { status: 'failed', stage: 'read', error }
      }
      if (stop.signal.aborted) return { status: stop.signal.reason as 'timeout' | 'interrupt' }
    }
    return { status: 'timeout' }
  } finally {
    clearTimeout(timer)
    options.signal?.removeEventListener('abort', onAbort)
    await stream.deregister(registration).catch(() => {})
  }
}
