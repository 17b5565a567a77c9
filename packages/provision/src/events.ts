import { WharfError } from '@wharf/core-http'
import type { ProvisionEvent } from './models.js'
import type { Req } from './request.js'
import { type TestFunc, type WaitOptions, type WaitResult, waitFor } from './wait.js'

/** What the event stream needs from its client. */
export interface EventContext {
  readonly endpoint: string
  readonly token: string
  readonly closed: boolean
  req(): Req
}

/** The minimal WebSocket surface used (the web API; `ws` provides it on Node). */
export interface WebSocketLike {
  readonly readyState: number
  send(data: string): void
  close(code?: number, reason?: string): void
  addEventListener(type: string, listener: (event: any) => void): void
}

/** A web-style WebSocket class (no headers: the token goes in `?token=`). */
export type WebSocketClass = new (url: string) => WebSocketLike

type Factory = (url: string, headers: Record<string, string>) => WebSocketLike

/** Options of `client.events()`. */
export interface EventStreamOptions {
  /** A WebSocket class to use with `?token=` (default: the global one, else `ws` with a header). */
  webSocket?: WebSocketClass
  /** Reconnect attempts after a dropped connection (default 6). */
  reconnectAttempts?: number
  /** Base reconnect wait in ms, grown 1, 1, 2, 3, 5, 8 × (default 1000). */
  reconnectDelay?: number
  /** Wait for the server's acknowledgement of register/deregister, in ms (default 10 000). */
  ackTimeout?: number
  /** Events buffered per registration before new ones are dropped (default 100). */
  buffer?: number
  /** Called after the stream reconnected and registered its patterns again. */
  onReconnect?: () => void
}

/** The event stream failed: bad pattern, refused connection, lost connection, missing ack. */
export class EventStreamError extends WharfError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('ERR_EVENTS', message, options)
  }
}

/** Splits `type.action.key` (the key may contain dots); undefined when malformed. */
function splitPattern(pattern: string): [string, string, string] | undefined {
  const a = pattern.indexOf('.')
  const b = a < 0 ? -1 : pattern.indexOf('.', a + 1)
  if (a <= 0 || b <= a + 1 || b === pattern.length - 1 || /\s/.test(pattern)) return undefined
  return [pattern.slice(0, a), pattern.slice(a + 1, b), pattern.slice(b + 1)]
}

/** True when an event matches a `type.action.key` pattern (`*` matches anything). */
export function matchesPattern(pattern: string, event: ProvisionEvent): boolean {
  const parts = splitPattern(pattern)
  const fields = [event.Type, event.Action, event.Key]
  return !!parts && parts.every((p, i) => p === '*' || p === fields[i])
}

const SCHEDULE = [1, 1, 2, 3, 5, 8]

async function factoryFor(given: WebSocketClass | undefined): Promise<Factory> {
  const Global = given ?? (globalThis as { WebSocket?: WebSocketClass }).WebSocket
  if (Global) {
    return (url, headers) => {
      const u = new URL(url)
      const auth = headers.authorization ?? ''
      u.searchParams.set('token', auth.replace(/^Bearer /, ''))
      return new Global(u.href)
    }
  }
  const { WebSocket: WS } = await import('ws')
  return (url, headers) =>
    new WS(url, { headers, maxPayload: 16 * 1024 * 1024 }) as unknown as WebSocketLike
}

/** One registration: its patterns and its events as an async iterator. */
export class Registration implements AsyncIterable<ProvisionEvent> {
  /** The handle number (the seed's int64 handle). */
  readonly id: number
  /** The patterns this registration receives. */
  readonly patterns = new Set<string>()
  /** Events dropped because the buffer was full. */
  dropped = 0
  readonly #queue: ProvisionEvent[] = []
  readonly #limit: number
  #waiter: (() => void) | undefined
  #ended = false
  #error: unknown

  /** @internal */
  constructor(id: number, limit: number) {
    this.id = id
    this.#limit = limit
  }

  /** @internal */
  push(event: ProvisionEvent): void {
    if (this.#ended) return
    if (this.#queue.length >= this.#limit) this.dropped++
    else this.#queue.push(event)
    this.#wake()
  }

  /** @internal Ends the iterator, with an error when the stream failed. */
  end(error?: unknown): void {
    if (this.#ended) return
    this.#ended = true
    this.#error = error
    this.#wake()
  }

  #wake(): void {
    const w = this.#waiter
    this.#waiter = undefined
    w?.()
  }

  /** The next event, or undefined when the registration ended; rejects when the stream failed. */
  async next(signal?: AbortSignal): Promise<ProvisionEvent | undefined> {
    for (;;) {
      const item = this.#queue.shift()
      if (item) return item
      if (this.#ended) {
        if (this.#error !== undefined) throw this.#error
        return undefined
      }
      if (signal?.aborted) throw signal.reason
      await new Promise<void>((resolve) => {
        const done = () => {
          signal?.removeEventListener('abort', done)
          resolve()
        }
        this.#waiter = done
        signal?.addEventListener('abort', done, { once: true })
      })
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<ProvisionEvent> {
    for (;;) {
      const event = await this.next()
      if (!event) return
      yield event
    }
  }
}

/**
 * The websocket event stream of `/api/v3/ws`: registrations with `type.action.key` patterns,
 * reconnection with re-registration after a dropped connection, and a clean close.
 */
export class EventStream {
  readonly #ctx: EventContext
  readonly #options: EventStreamOptions
  readonly #factory: Factory
  readonly #registrations = new Map<number, Registration>()
  readonly #acks = new Map<string, Array<(ok: boolean) => void>>()
  #socket: WebSocketLike | undefined
  #nextId = 1
  #closing = false
  #reconnecting: Promise<void> | undefined

  private constructor(ctx: EventContext, options: EventStreamOptions, factory: Factory) {
    this.#ctx = ctx
    this.#options = options
    this.#factory = factory
  }

  /** Opens the stream (see `client.events()`). */
  static async open(ctx: EventContext, options: EventStreamOptions = {}): Promise<EventStream> {
    const stream = new EventStream(ctx, options, await factoryFor(options.webSocket))
    await stream.#connect()
    return stream
  }

  #url(): string {
    const url = new URL('/api/v3/ws', `${this.#ctx.endpoint}/`)
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
    return url.href
  }

  #connect(): Promise<void> {
    if (this.#ctx.closed) return Promise.reject(new EventStreamError('the session is closed'))
    return new Promise((resolve, reject) => {
      let opened = false
      const socket = this.#factory(this.#url(), { authorization: `Bearer ${this.#ctx.token}` })
      socket.addEventListener('open', () => {
        opened = true
        this.#socket = socket
        resolve()
      })
      socket.addEventListener('message', (e: { data: unknown }) => this.#receive(String(e.data)))
      socket.addEventListener('error', (e: { message?: string; error?: unknown }) => {
        if (!opened) {
          const text = e?.message ?? 'connection failed'
          const status = /\b([45]\d\d)\b/.exec(text)?.[1]
          reject(
            new EventStreamError(
              `websocket ${this.#url()}: ${text}${status ? ` (HTTP ${status})` : ''}`,
              { cause: e?.error },
            ),
          )
        }
      })
      socket.addEventListener('close', () => {
        if (!opened) {
          reject(new EventStreamError(`websocket ${this.#url()}: closed before it opened`))
          return
        }
        if (this.#socket === socket) this.#socket = undefined
        for (const waiters of this.#acks.values()) for (const w of waiters.splice(0)) w(false)
        if (!this.#closing)
          this.#reconnecting ??= this.#reconnect().finally(() => (this.#reconnecting = undefined))
      })
    })
  }

  async #reconnect(): Promise<void> {
    const attempts = this.#options.reconnectAttempts ?? 6
    const base = this.#options.reconnectDelay ?? 1000
    let last: unknown
    for (let i = 0; i < attempts && !this.#closing; i++) {
      await new Promise((r) => setTimeout(r, base * SCHEDULE[Math.min(i, SCHEDULE.length - 1)]!))
      if (this.#closing) return
      try {
        await this.#connect()
        await Promise.all([...this.#patterns()].map((p) => this.#send('register', p)))
        this.#options.onReconnect?.()
        return
      } catch (error) {
        last = error
      }
    }
    if (this.#closing) return
    const error = new EventStreamError(
      `websocket lost and not regained after ${attempts} attempts`,
      { cause: last },
    )
    for (const r of this.#registrations.values()) r.end(error)
    this.#registrations.clear()
  }

  #patterns(): Set<string> {
    const all = new Set<string>()
    for (const r of this.#registrations.values()) for (const p of r.patterns) all.add(p)
    return all
  }

  #receive(text: string): void {
    let event: ProvisionEvent
    try {
      event = JSON.parse(text)
    } catch {
      return
    }
    if (typeof event !== 'object' || event === null) return
    if (event.Type === 'websocket') {
      this.#acks.get(`${event.Action} ${event.Key}`)?.shift()?.(true)
      return
    }
    for (const r of this.#registrations.values()) {
      if ([...r.patterns].some((p) => matchesPattern(p, event))) r.push(event)
    }
  }

  /** Sends `register|deregister <pattern>` and waits for the server's ack event. */
  async #send(action: 'register' | 'deregister', pattern: string): Promise<void> {
    const socket = this.#socket
    if (!socket) throw new EventStreamError('the event stream is not connected')
    const key = `${action} ${pattern}`
    const timeout = this.#options.ackTimeout ?? 10_000
    let timer: ReturnType<typeof setTimeout> | undefined
    const ok = await new Promise<boolean>((resolve) => {
      const list = this.#acks.get(key) ?? []
      list.push(resolve)
      this.#acks.set(key, list)
      timer = setTimeout(() => resolve(false), timeout)
      socket.send(key)
    })
    clearTimeout(timer)
    if (!ok) throw new EventStreamError(`no acknowledgement for "${key}"`)
  }

  async #add(registration: Registration, patterns: string[]): Promise<void> {
    for (const p of patterns) {
      if (!splitPattern(p))
        throw new EventStreamError(`invalid pattern ${JSON.stringify(p)}: use type.action.key`)
    }
    const known = this.#patterns()
    for (const p of patterns) registration.patterns.add(p)
    await Promise.all(
      [...new Set(patterns)].filter((p) => !known.has(p)).map((p) => this.#send('register', p)),
    )
  }

  /** Registers a new handle for the patterns; resolves once the server acknowledged them. */
  async register(...patterns: string[]): Promise<Registration> {
    if (this.#closing) throw new EventStreamError('the event stream is closed')
    const registration = new Registration(this.#nextId++, this.#options.buffer ?? 100)
    try {
      await this.#add(registration, patterns)
    } catch (error) {
      registration.end()
      throw error
    }
    this.#registrations.set(registration.id, registration)
    return registration
  }

  /** Adds patterns to an existing registration. */
  async subscribe(registration: Registration | number, ...patterns: string[]): Promise<void> {
    const r = this.#registrations.get(
      typeof registration === 'number' ? registration : registration.id,
    )
    if (!r)
      throw new EventStreamError(
        `no registration ${String(typeof registration === 'number' ? registration : registration.id)}`,
      )
    await this.#add(r, patterns)
  }

  /** Ends a registration; patterns nobody else uses are deregistered on the server. */
  async deregister(registration: Registration | number): Promise<void> {
    const id = typeof registration === 'number' ? registration : registration.id
    const r = this.#registrations.get(id)
    if (!r) return
    this.#registrations.delete(id)
    r.end()
    const left = this.#patterns()
    const drop = [...r.patterns].filter((p) => !left.has(p))
    if (this.#socket) await Promise.all(drop.map((p) => this.#send('deregister', p)))
  }

  /** Closes the socket (normal closure); every registration's iterator ends cleanly. */
  async close(): Promise<void> {
    this.#closing = true
    for (const r of this.#registrations.values()) r.end()
    this.#registrations.clear()
    const socket = this.#socket
    this.#socket = undefined
    if (socket && socket.readyState <= 1) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2000)
        socket.addEventListener('close', () => {
          clearTimeout(timer)
          resolve()
        })
        socket.close(1000, 'done')
      })
    }
  }

  /** @internal Re-reads an item for `waitFor`. */
  get context(): EventContext {
    return this.#ctx
  }

  /** Waits until `test` holds for `prefix/key` (see `waitFor`). */
  waitFor<T = unknown>(
    prefix: string,
    key: string,
    test: TestFunc,
    options: WaitOptions = {},
  ): Promise<WaitResult<T>> {
    return waitFor<T>(this, prefix, key, test, options)
  }
}
