import { InvalidFilterError } from './errors.js'

/** Single-value comparison operators of the list filter grammar. */
export type CompareOp = 'Eq' | 'Lt' | 'Lte' | 'Gt' | 'Gte' | 'Ne'
/** Range operators of the list filter grammar (inclusive bounds). */
export type RangeOp = 'Between' | 'Except'

const COMPARE: readonly CompareOp[] = ['Eq', 'Lt', 'Lte', 'Gt', 'Gte', 'Ne']
const RANGE: readonly RangeOp[] = ['Between', 'Except']
const RESERVED = new Set(['reverse', 'sort', 'limit', 'offset', 'slim'])

function normalizeOp(op: string): CompareOp | RangeOp | undefined {
  const lower = op.toLowerCase()
  return [...COMPARE, ...RANGE].find((o) => o.toLowerCase() === lower)
}

function checkValue(index: string, value: string | undefined): string {
  if (value === undefined) throw new InvalidFilterError(`${index}: missing value`)
  if (/[,)]/.test(value)) {
    throw new InvalidFilterError(`${index}: value ${JSON.stringify(value)} contains "," or ")"`)
  }
  return value
}

function checkCount(name: string, value: string | undefined): string {
  if (value === undefined) throw new InvalidFilterError(`${name}: missing number`)
  if (!/^\d+$/.test(value)) {
    throw new InvalidFilterError(
      `${name} must be a non-negative integer, not ${JSON.stringify(value)}`,
    )
  }
  return value
}

/**
 * Turns the seed's filter arguments (`reverse`, `sort idx`, `limit n`, `offset n`,
 * `slim list`, `idx Eq|Lt|Lte|Gt|Gte|Ne v`, `idx Between|Except lo hi`) into query pairs,
 * sorted by key like Go's `url.Values.Encode`. Throws InvalidFilterError naming the problem.
 */
export function filterQuery(...args: string[]): URLSearchParams {
  const query = new URLSearchParams()
  const seen = new Set<string>()
  for (let i = 0; i < args.length; ) {
    const word = String(args[i])
    if (word === 'reverse') {
      query.append('reverse', 'true')
      i += 1
      continue
    }
    if (word === 'sort' || word === 'slim') {
      const value = args[i + 1]
      if (value === undefined || value === '')
        throw new InvalidFilterError(`${word}: missing value`)
      query.append(word, value)
      i += 2
      continue
    }
    if (word === 'limit' || word === 'offset') {
      if (seen.has(word)) throw new InvalidFilterError(`${word} given twice`)
      seen.add(word)
      query.append(word, checkCount(word, args[i + 1]))
      i += 2
      continue
    }
    if (!/^[A-Za-z][\w/.-]*$/.test(word)) {
      throw new InvalidFilterError(`bad index name ${JSON.stringify(word.slice(0, 60))}`)
    }
    const rawOp = args[i + 1]
    const op = rawOp === undefined ? undefined : normalizeOp(rawOp)
    if (op === undefined) {
      throw new InvalidFilterError(
        `${word}: ${rawOp === undefined ? 'missing operator' : `unknown operator ${JSON.stringify(rawOp)}`}`,
      )
    }
    if ((RANGE as readonly string[]).includes(op)) {
      const lo = checkValue(word, args[i + 2])
      const hi = checkValue(word, args[i + 3])
      query.append(word, `${op}(${lo},${hi})`)
      i += 4
    } else {
      query.append(word, `${op}(${checkValue(word, args[i + 2])})`)
      i += 3
    }
  }
  query.sort()
  return query
}

/** A typed builder for list filters; `args()` gives the seed's argument list for the same query. */
export class FilterBuilder {
  readonly #args: string[] = []

  /** Items whose index compares to `value`. */
  where(index: string, op: CompareOp, value: string | number | boolean): this
  /** Items whose index is inside (`Between`) or outside (`Except`) `[low, high]`. */
  where(index: string, op: RangeOp, low: string | number, high: string | number): this
  where(index: string, op: CompareOp | RangeOp, ...values: Array<string | number | boolean>): this {
    if (RESERVED.has(index)) throw new InvalidFilterError(`${index} is not an index name`)
    return this.#push(index, op, ...values.map(String))
  }

  /** Sort by a static index (the last sort given is the primary key). */
  sort(index: string): this {
    return this.#push('sort', index)
  }

  /** Reverse the order. */
  reverse(): this {
    return this.#push('reverse')
  }

  /** Skip `n` items (applied before `limit`). */
  offset(n: number): this {
    return this.#push('offset', String(n))
  }

  /** Return at most `n` items. */
  limit(n: number): this {
    return this.#push('limit', String(n))
  }

  /** Empty `Params` and/or `Meta` in the answer. */
  slim(...fields: Array<'Params' | 'Meta'>): this {
    return this.#push('slim', fields.join(','))
  }

  /** The seed-style argument list. */
  args(): string[] {
    return [...this.#args]
  }

  /** The query this filter sends. */
  query(): URLSearchParams {
    return filterQuery(...this.#args)
  }

  #push(...words: string[]): this {
    const next = [...this.#args, ...words]
    filterQuery(...next)
    this.#args.push(...words)
    return this
  }
}

/** Starts a typed filter. */
export function filterBuilder(): FilterBuilder {
  return new FilterBuilder()
}
