import { MockError } from './reply.js'
import type { IndexSpec, IndexType } from './types.js'

type Comparable = string | number | bigint

const OP1 = new Set(['Eq', 'Lt', 'Lte', 'Gt', 'Gte', 'Ne'])
const OP2 = new Set(['Between', 'Except'])
const RESERVED = new Set(['offset', 'limit', 'sort', 'reverse', 'slim'])

function ipValue(text: string): bigint | undefined {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text)
  if (v4) {
    const b = v4.slice(1).map(Number)
    if (b.some((x) => x > 255)) return undefined
    return (0xffffn << 32n) | BigInt(((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0)
  }
  if (!/^[0-9a-f:]+$/i.test(text) || !text.includes(':')) return undefined
  const [head = '', tail] = text.split('::')
  const h = head ? head.split(':') : []
  const t = tail ? tail.split(':') : []
  const fill = tail === undefined ? 0 : 8 - h.length - t.length
  const groups = [...h, ...Array(Math.max(0, fill)).fill('0'), ...t]
  if (groups.length !== 8 || groups.some((g) => g.length > 4)) return undefined
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(Number.parseInt(g || '0', 16)), 0n)
}

/** Orders a stored value of an index type (unset values sort first). */
function stored(type: IndexType, value: unknown): Comparable {
  switch (type) {
    case 'boolean':
      return value ? 1 : 0
    case 'IP Address':
      return typeof value === 'string' ? (ipValue(value) ?? -1n) : -1n
    case 'CIDR Address':
      return typeof value === 'string' ? (ipValue(value.split('/')[0] ?? '') ?? -1n) : -1n
    case 'dateTime':
    case 'Date/Time string':
      return typeof value === 'string' ? Date.parse(value) || 0 : 0
    case 'UUID string':
      return String(value ?? '').toLowerCase()
    default:
      return String(value ?? '')
  }
}

/** Parses a filter argument for an index type; 406 with the server's wording on failure. */
function parsed(name: string, type: IndexType, text: string): Comparable {
  const bad = (message: string) => new MockError(406, 'GET', message)
  switch (type) {
    case 'boolean':
      if (text !== 'true' && text !== 'false') throw bad(`${name} must be true or false`)
      return text === 'true' ? 1 : 0
    case 'IP Address': {
      const ip = ipValue(text)
      if (ip === undefined) throw bad(`Invalid address: ${text}`)
      return ip
    }
    case 'CIDR Address': {
      const [addr = '', bits] = text.split('/')
      const ip = ipValue(addr)
      if (ip === undefined || bits === undefined || !/^\d+$/.test(bits)) {
        throw bad(`Invalid subnet CIDR: ${text}`)
      }
      return ip
    }
    case 'dateTime':
    case 'Date/Time string': {
      const t = Date.parse(text)
      if (!/^\d{4}-\d\d-\d\dT/.test(text) || Number.isNaN(t)) {
        throw bad(`parsing time ${JSON.stringify(text)}: cannot parse`)
      }
      return t
    }
    case 'UUID string':
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text)) {
        throw bad(`Invalid UUID: ${text}`)
      }
      return text.toLowerCase()
    default:
      return text
  }
}

function cmp(a: Comparable, b: Comparable): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** A list item: its key and its JSON object. */
export interface Item {
  key: string
  object: Record<string, any>
}

/** How the list handler resolves a filter key that is not a static index (machine params). */
export type DynamicIndex = (
  name: string,
) => { value: (item: Item) => unknown; parse: (text: string) => unknown } | undefined

function parseExpr(raw: string): { op: string; args: string[] } {
  const open = raw.indexOf('(')
  if (open >= 0) {
    const op = raw.slice(0, open)
    if (OP1.has(op) || OP2.has(op)) {
      const close = raw.indexOf(')', open)
      const inner = raw.slice(open + 1, close < 0 ? undefined : close)
      if (OP2.has(op)) {
        const parts = inner.split(',')
        if (parts.length < 2) throw new MockError(500, 'GET', `${op} needs two values`)
        return { op, args: parts.slice(0, 2) }
      }
      return { op, args: [inner] }
    }
  }
  if (OP1.has(raw) || OP2.has(raw)) throw new MockError(500, 'GET', `${raw} without arguments`)
  return { op: 'Eq', args: [raw] }
}

function subset<T>(
  sorted: Array<{ v: T; item: Item }>,
  op: string,
  args: T[],
  c: (a: T, b: T) => number,
) {
  const [a, b] = args as [T, T]
  const keep = (x: T) => {
    switch (op) {
      case 'Eq':
        return c(x, a) === 0
      case 'Ne':
        return c(x, a) !== 0
      case 'Lt':
        return c(x, a) < 0
      case 'Lte':
        return c(x, a) <= 0
      case 'Gt':
        return c(x, a) > 0
      case 'Gte':
        return c(x, a) >= 0
      case 'Between':
        return c(x, a) >= 0 && c(x, b) <= 0
      default:
        return c(x, a) < 0 || c(x, b) > 0
    }
  }
  return sorted.filter((e) => keep(e.v)).map((e) => e.item)
}

function count(name: string, raw: string | null): number | undefined {
  if (raw === null) return undefined
  if (!/^-?\d+$/.test(raw)) throw new MockError(406, 'GET', `${name} not valid: ${raw}`)
  const n = Number(raw)
  if (n < 0) throw new MockError(406, 'GET', `${name} cannot be negative`)
  return n
}

/**
 * Applies the list query grammar of §7: per-key subsets OR-ed within a key and AND-ed across
 * keys, `sort` (last wins), `reverse` by presence, then `offset` and `limit`.
 */
export function applyListQuery(
  items: Item[],
  query: URLSearchParams,
  indexes: Record<string, IndexSpec> | undefined,
  dynamic: DynamicIndex = () => undefined,
): Item[] {
  let set = [...items].sort((a, b) => cmp(a.key, b.key))
  const keys = [...new Set([...query.keys()].filter((k) => !RESERVED.has(k)))]
  for (const name of keys) {
    const spec = indexes?.[name]
    const values = query.getAll(name)
    if (spec) {
      const read = (item: Item) =>
        stored(spec.type, spec.get ? spec.get(item.object, item.key) : item.object[name])
      const sorted = set.map((item) => ({ v: read(item), item })).sort((x, y) => cmp(x.v, y.v))
      set = values.flatMap((raw) => {
        const { op, args } = parseExpr(raw)
        return subset(
          sorted,
          op,
          args.map((t) => parsed(name, spec.type, t)),
          cmp,
        )
      })
      continue
    }
    const dyn = dynamic(name)
    if (!dyn) throw new MockError(406, 'GET', `Filter not found: ${name}`)
    const order = (x: unknown, y: unknown): number => {
      if (x === undefined || y === undefined) return x === y ? 0 : x === undefined ? -1 : 1
      if (typeof x === 'number' || typeof y === 'number') return Number.NaN
      return cmp(String(x), String(y))
    }
    const sorted = set.map((item) => ({ v: dyn.value(item), item }))
    set = values.flatMap((raw) => {
      const { op, args } = parseExpr(raw)
      return subset(sorted, op, args.map(dyn.parse), order)
    })
  }
  for (const name of query.getAll('sort')) {
    const spec = indexes?.[name]
    if (!spec) throw new MockError(406, 'GET', `Not sortable: ${name}`)
    const read = (item: Item) =>
      stored(spec.type, spec.get ? spec.get(item.object, item.key) : item.object[name])
    set = set
      .map((item, i) => ({ v: read(item), item, i }))
      .sort((x, y) => cmp(x.v, y.v) || x.i - y.i)
      .map((e) => e.item)
  }
  if (query.has('reverse')) set.reverse()
  const offset = count('Offset', query.get('offset'))
  const limit = count('Limit', query.get('limit'))
  if (offset !== undefined) set = set.slice(offset)
  if (limit !== undefined) set = set.slice(0, limit)
  return set
}
