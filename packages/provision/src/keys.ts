import { ModelError } from './errors.js'
import { MODEL_KEYS, type Prefix } from './models.js'

/** True when `name` is a known model prefix. */
export function isPrefix(name: string): name is Prefix {
  return Object.hasOwn(MODEL_KEYS, name)
}

/** The prefix for a prefix or its singular form (`machine` → `machines`); ModelError otherwise. */
export function modelPrefix(name: string): Prefix {
  if (isPrefix(name)) return name
  if (isPrefix(`${name}s`)) return `${name}s` as Prefix
  throw new ModelError(`No such model type: ${JSON.stringify(name.slice(0, 60))}`)
}

/** The uppercase hex form of a dotted IPv4 address (`192.168.1.10` → `C0A8010A`). */
export function ipv4ToHex(address: string): string {
  const parts = address.split('.')
  const bytes = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : Number.NaN))
  if (bytes.length !== 4 || bytes.some((b) => !(b >= 0 && b <= 255))) {
    throw new ModelError(`Not an IPv4 address: ${JSON.stringify(address.slice(0, 60))}`)
  }
  return bytes.map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join('')
}

/** The key of a model object ("" when its key field is unset). */
export function keyOf(prefix: Prefix, object: object): string {
  const spec = MODEL_KEYS[prefix]
  if (typeof object !== 'object' || object === null) {
    throw new ModelError(`${prefix}: not a model object: ${String(object).slice(0, 60)}`)
  }
  const value = (object as Record<string, unknown>)[spec.field]
  if (value === undefined || value === null || value === '') return ''
  if (typeof value !== 'string') {
    throw new ModelError(`${prefix}: key field ${spec.field} must be a string`)
  }
  return spec.hex ? ipv4ToHex(value) : value
}

/** The key of a model object; ModelError when it has none. */
export function requireKey(prefix: Prefix, object: object): string {
  const key = keyOf(prefix, object)
  if (!key) throw new ModelError(`${prefix}: the object has no ${MODEL_KEYS[prefix].field}`)
  return key
}
