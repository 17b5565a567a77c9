import { REDACTED } from '@wharf/core-http'

const INSPECT = Symbol.for('nodejs.util.inspect.custom')

/**
 * Makes `target` print as `name { …public fields, secrets: [REDACTED] }` in `toString()`,
 * `JSON.stringify` and Node's `inspect`. Secrets live in closures, never on the object.
 */
export function redacted<T extends object>(
  target: T,
  name: string,
  fields: Record<string, string | number | boolean | undefined> = {},
  secrets: readonly string[] = [],
): T {
  const view: Record<string, unknown> = { ...fields }
  for (const key of secrets) view[key] = REDACTED
  const text = `${name} ${JSON.stringify(view)}`
  for (const [key, value] of [
    ['toString', () => text],
    ['toJSON', () => ({ strategy: name, ...view })],
    [INSPECT, () => text],
  ] as const) {
    Object.defineProperty(target, key, { value, enumerable: false })
  }
  return target
}
