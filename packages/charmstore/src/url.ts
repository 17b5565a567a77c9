import { WharfError } from '@wharf/core-http'

/** A charm or bundle id could not be parsed; `input` is the rejected text. */
export class InvalidCharmURLError extends WharfError {
  /** The rejected input (cut to 200 characters). */
  readonly input: string
  /** What was wrong with it. */
  readonly reason: string
  constructor(input: string, reason: string) {
    const text = String(input).slice(0, 200)
    super('ERR_INVALID_CHARM_URL', `invalid charm or bundle URL ${JSON.stringify(text)}: ${reason}`)
    this.input = text
    this.reason = reason
  }
}

/** The schemas of the charm store era: `cs` (the store) and `local` (a local repository). */
export type CharmSchema = 'cs' | 'local'

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]*[a-z][a-z0-9]*)*$/
const SERIES = /^[a-z]+([a-z0-9]+)?$/
const USER_PART = '[a-zA-Z0-9][a-zA-Z0-9.+-]*[a-zA-Z0-9]'
const USER = new RegExp(`^${USER_PART}(@${USER_PART})?$`)

/** True when `name` is a valid charm or bundle name (`wordpress`, `mysql-cluster`). */
export function isValidName(name: string): boolean {
  return NAME.test(name)
}

/** True when `series` is a valid series name (`trusty`, `centos7`, `bundle`). */
export function isValidSeries(series: string): boolean {
  return SERIES.test(series)
}

/** True when `user` is a valid Juju user name (`bob`, `bob@external`). */
export function isValidUser(user: string): boolean {
  return USER.test(user)
}

/** The parts of a charm URL. */
export interface CharmURLParts {
  schema?: CharmSchema
  user?: string
  series?: string
  name: string
  /** -1 (the default) when there is none. */
  revision?: number
}

/**
 * A charm or bundle id in the charm store grammar:
 * `[schema:][~user/][series/]name[-revision]`. Immutable; `toString()` gives the canonical form.
 */
export class CharmURL {
  readonly schema: CharmSchema
  /** Owner; `''` for promulgated ids. */
  readonly user: string
  /** `''` for multi-series charms; `bundle` for bundles. */
  readonly series: string
  readonly name: string
  /** -1 when unspecified. */
  readonly revision: number

  /** Validates the parts; throws InvalidCharmURLError naming the bad one. */
  constructor(parts: CharmURLParts) {
    this.schema = parts.schema ?? 'cs'
    this.user = parts.user ?? ''
    this.series = parts.series ?? ''
    this.name = parts.name
    this.revision = parts.revision ?? -1
    const text = () => this.toString()
    if (this.schema !== 'cs' && this.schema !== 'local')
      throw new InvalidCharmURLError(
        text(),
        `schema ${JSON.stringify(this.schema)} is not cs or local`,
      )
    if (this.user && this.schema === 'local')
      throw new InvalidCharmURLError(text(), 'local charm or bundle URL with user name')
    if (this.user && !isValidUser(this.user))
      throw new InvalidCharmURLError(text(), `invalid user name ${JSON.stringify(this.user)}`)
    if (this.series && !isValidSeries(this.series))
      throw new InvalidCharmURLError(text(), `invalid series ${JSON.stringify(this.series)}`)
    if (!isValidName(this.name))
      throw new InvalidCharmURLError(text(), `invalid name ${JSON.stringify(this.name)}`)
    if (!Number.isSafeInteger(this.revision) || this.revision < -1)
      throw new InvalidCharmURLError(text(), `invalid revision ${this.revision}`)
  }

  /** `[~user/][series/]name[-revision]`: the form used in API paths. */
  path(): string {
    const user = this.user ? `~${this.user}/` : ''
    const series = this.series ? `${this.series}/` : ''
    const revision = this.revision >= 0 ? `-${this.revision}` : ''
    return `${user}${series}${this.name}${revision}`
  }

  /** `schema:path`, e.g. `cs:~bob/trusty/wordpress-42`. */
  toString(): string {
    return `${this.schema}:${this.path()}`
  }

  /** JSON carries the string form, as the store does. */
  toJSON(): string {
    return this.toString()
  }

  /** A copy with another revision (-1 removes it). */
  withRevision(revision: number): CharmURL {
    return new CharmURL({ ...this, revision })
  }

  /** A copy with another series (`''` removes it). */
  withSeries(series: string): CharmURL {
    return new CharmURL({ ...this, series })
  }

  /** A copy with another user (`''` for the promulgated form). */
  withUser(user: string): CharmURL {
    return new CharmURL({ ...this, user })
  }
}

/** Splits `name-rev`: trailing digits after a `-` that is not the last character are the revision. */
function splitRevision(last: string): { name: string; revision: number } {
  let i = last.length - 1
  while (i > 0 && last[i]! >= '0' && last[i]! <= '9') i--
  if (i > 0 && i < last.length - 1 && last[i] === '-') {
    return { name: last.slice(0, i), revision: Number(last.slice(i + 1)) }
  }
  return { name: last, revision: -1 }
}

function parseWebForm(input: string, url: URL): CharmURL {
  const parts = url.pathname.replace(/^\/+|\/+$/g, '').split('/')
  let user = ''
  if (parts[0] === 'u') {
    if (parts.length < 3) throw new InvalidCharmURLError(input, 'expected "/u/<user>/<name>"')
    user = parts[1]!
    parts.splice(0, 2)
  }
  const name = parts.shift()!
  let series = ''
  let revision = -1
  const numeric = (s: string) => /^\d+$/.test(s)
  if (parts.length > 0) {
    if (numeric(parts[0]!)) revision = Number(parts.shift())
    else {
      series = parts.shift()!
      if (!isValidSeries(series))
        throw new InvalidCharmURLError(input, `invalid series ${JSON.stringify(series)}`)
      if (parts.length === 1) {
        if (!numeric(parts[0]!))
          throw new InvalidCharmURLError(input, `malformed revision ${JSON.stringify(parts[0])}`)
        revision = Number(parts.shift())
      }
    }
    if (parts.length > 0) throw new InvalidCharmURLError(input, 'too many path elements')
  }
  return build(input, { schema: 'cs', user, series, name, revision })
}

function build(input: string, parts: CharmURLParts): CharmURL {
  try {
    return new CharmURL(parts)
  } catch (error) {
    if (error instanceof InvalidCharmURLError) {
      throw new InvalidCharmURLError(input, error.reason)
    }
    throw error
  }
}

/**
 * Parses a charm or bundle id: `cs:~user/series/name-rev`, `cs:name`, `series/name`,
 * `local:series/name`, `~user/name`, or a store web URL (`https://jujucharms.com/u/bob/wordpress/trusty/42`).
 * The schema defaults to `cs`, the revision to -1. Throws InvalidCharmURLError naming the problem.
 */
export function parseCharmURL(input: string): CharmURL {
  if (typeof input !== 'string') throw new InvalidCharmURLError(String(input), 'not a string')
  if (input === '') throw new InvalidCharmURLError(input, 'empty')
  if (/[\s?#\p{Cc}]/u.test(input)) {
    throw new InvalidCharmURLError(input, 'has unrecognized parts (query, fragment or whitespace)')
  }
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(input)
  if (scheme && /^https?$/i.test(scheme[1]!)) {
    let url: URL
    try {
      url = new URL(input)
    } catch {
      throw new InvalidCharmURLError(input, 'not a valid web URL')
    }
    if (url.username || url.password)
      throw new InvalidCharmURLError(input, 'has unrecognized parts (user info)')
    return parseWebForm(input, url)
  }
  let schema: CharmSchema | undefined
  let rest = input
  if (scheme) {
    const s = scheme[1]!.toLowerCase()
    if (s !== 'cs' && s !== 'local')
      throw new InvalidCharmURLError(input, `schema ${JSON.stringify(s)} is not cs or local`)
    schema = s
    rest = input.slice(scheme[0].length)
    if (rest.startsWith('//'))
      throw new InvalidCharmURLError(input, 'unexpected "//" after the schema')
  }
  let parts = rest.split('/')
  if (parts.length > 4) throw new InvalidCharmURLError(input, 'too many path elements')
  let user = ''
  if (parts[0]!.startsWith('~')) {
    if (schema === 'local')
      throw new InvalidCharmURLError(input, 'local charm or bundle URL with user name')
    user = parts[0]!.slice(1)
    parts = parts.slice(1)
  }
  if (parts.length > 2) throw new InvalidCharmURLError(input, 'too many path elements')
  let series = ''
  if (parts.length === 2) {
    series = parts.shift()!
    if (series === '') throw new InvalidCharmURLError(input, 'empty series')
  }
  if (parts.length < 1 || parts[0] === '')
    throw new InvalidCharmURLError(input, 'no charm or bundle name')
  if (user === '' && rest.startsWith('~')) throw new InvalidCharmURLError(input, 'empty user name')
  return build(input, { ...(schema ? { schema } : {}), user, series, ...splitRevision(parts[0]!) })
}

/** A charm URL or its string form. */
export type CharmId = CharmURL | string

/** Parses a string id; passes a CharmURL through. */
export function toCharmURL(id: CharmId): CharmURL {
  return id instanceof CharmURL ? id : parseCharmURL(id)
}

/** `id` with `revision` (-1 removes it). */
export function withRevision(id: CharmId, revision: number): CharmURL {
  return toCharmURL(id).withRevision(revision)
}
