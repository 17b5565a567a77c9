/** An event as the server publishes it. */
export interface MockEvent {
  Time: string
  Type: string
  Action: string
  Key: string
  Object: unknown
}

function matches(pattern: string, event: MockEvent): boolean {
  const first = pattern.indexOf('.')
  const second = first < 0 ? -1 : pattern.indexOf('.', first + 1)
  if (second < 0) return false
  const parts = [
    pattern.slice(0, first),
    pattern.slice(first + 1, second),
    pattern.slice(second + 1),
  ]
  const fields = [event.Type, event.Action, event.Key]
  return parts.every((p, i) => p === '*' || p === fields[i])
}

/** One websocket connection's view of the event stream: its registered patterns. */
export class EventConnection {
  readonly patterns: string[] = []
  readonly #send: (text: string) => void
  readonly #now: () => Date

  constructor(send: (text: string) => void, now: () => Date) {
    this.#send = send
    this.#now = now
  }

  /** Handles one text frame from the client: `register <pattern>` or `deregister <pattern>`. */
  receive(text: string): void {
    const trimmed = text.trim()
    const space = trimmed.indexOf(' ')
    if (space < 0) return
    const verb = trimmed.slice(0, space)
    const pattern = trimmed.slice(space + 1).trim()
    if (verb === 'register') {
      if (!this.patterns.includes(pattern)) this.patterns.push(pattern)
    } else if (verb === 'deregister') {
      const at = this.patterns.indexOf(pattern)
      if (at >= 0) this.patterns.splice(at, 1)
    } else return
    this.#send(
      JSON.stringify({
        Time: this.#now().toISOString(),
        Type: 'websocket',
        Action: verb,
        Key: pattern,
        Object: null,
      }),
    )
  }

  /** Sends the event when one of the patterns matches it. */
  deliver(event: MockEvent, text: string): void {
    if (this.patterns.some((p) => matches(p, event))) this.#send(text)
  }
}

/** Fans published events out to the websocket connections, in commit order. */
export class EventHub {
  readonly connections = new Set<EventConnection>()
  /** Every event published so far (bounded to the last 1000). */
  readonly published: MockEvent[] = []

  /** Publishes an event to every matching connection. */
  publish(event: MockEvent): void {
    this.published.push(event)
    if (this.published.length > 1000) this.published.shift()
    const text = JSON.stringify(event)
    for (const c of this.connections) c.deliver(event, text)
  }
}
