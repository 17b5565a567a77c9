import { WharfError } from '@wharf/core-http'
import { type Channel, type CharmRef, resolveRef } from './channel.js'
import type { CallOptions, CharmStoreClient } from './client.js'
import {
  CharmStoreArgumentError,
  CharmStoreError,
  CharmStoreProtocolError,
  ErrorCode,
} from './errors.js'
import type { MetaTypes } from './params.js'
import { type CharmId, type CharmURL, parseCharmURL, toCharmURL } from './url.js'

/**
 * csclient's field-name rule: an upper-case letter becomes `-` + its lower-case form when it
 * follows a non-upper-case one (`ArchiveSize` → `archive-size`, `HelloHTTP` → `hello-http`).
 */
export function hyphenate(name: string): string {
  let out = ''
  let prevLower = false
  for (const ch of name) {
    const upper = ch !== ch.toLowerCase() && ch === ch.toUpperCase()
    if (!upper) {
      out += ch
      prevLower = true
      continue
    }
    if (prevLower) out += '-'
    out += ch.toLowerCase()
    prevLower = false
  }
  return out
}

/**
 * What `meta` should fetch: each key names a result field; `true` derives the include name
 * from the key with {@link hyphenate}, a string gives it explicitly (`'extra-info/digest'`).
 */
export type MetaInclude = Record<string, true | string>

/** The result fields of a {@link MetaInclude}: typed for known keys, `unknown` for explicit names. */
export type MetaResult<I extends MetaInclude> = {
  [K in keyof I]?: I[K] extends string
    ? unknown
    : K extends keyof MetaTypes
      ? MetaTypes[K]
      : unknown
}

/** What `meta` returns: the resolved id and the requested items (absent ones are left out). */
export interface MetaResponse<I extends MetaInclude> {
  id: CharmURL
  meta: MetaResult<I>
}

function includeNames(include: MetaInclude): Array<[field: string, name: string]> {
  if (!include || typeof include !== 'object' || Array.isArray(include)) {
    throw new CharmStoreArgumentError(
      'meta include must be an object of field → true | include name',
    )
  }
  return Object.entries(include).map(([field, spec]) => {
    if (spec !== true && (typeof spec !== 'string' || spec === '')) {
      throw new CharmStoreArgumentError(
        `meta include ${JSON.stringify(field)} must be true or a non-empty include name`,
      )
    }
    return [field, spec === true ? hyphenate(field) : spec]
  })
}

function parseId(text: unknown, what: string): CharmURL {
  try {
    return parseCharmURL(text as string)
  } catch (error) {
    throw new CharmStoreProtocolError(
      `${what}: the store returned an invalid id ${JSON.stringify(text)}`,
      { cause: error },
    )
  }
}

/** `GET /<id>/meta/any?include=…`: see {@link CharmStoreClient.meta}. */
export async function meta<I extends MetaInclude>(
  client: CharmStoreClient,
  ref: CharmRef,
  include: I,
  options: CallOptions & { channel?: Channel } = {},
): Promise<MetaResponse<I>> {
  const { id, channel } = resolveRef(ref)
  const names = includeNames(include)
  const result = await client.do(`/${id.path()}/meta/any`, {
    searchParams: { include: names.map(([, name]) => name) },
    channel: options.channel ?? channel,
    signal: options.signal,
  })
  const body = (await result.json()) as { Id?: unknown; Meta?: Record<string, unknown> } | null
  const found = body?.Meta
  const out: Record<string, unknown> = {}
  for (const [field, name] of names) {
    if (found && typeof found === 'object' && Object.hasOwn(found, name)) out[field] = found[name]
  }
  return { id: parseId(body?.Id, `meta of ${id}`), meta: out as MetaResult<I> }
}

/** The latest revision of one id, or why it could not be found. */
export interface CharmRevision {
  /** -1 with `error` set when unknown. */
  revision: number
  error?: WharfError
}

/** `GET /meta/any?id=…&include=id-revision`: the newest revision of each id (revisions in `ids` are ignored). */
export async function latest(
  client: CharmStoreClient,
  ids: CharmId[],
  options: CallOptions = {},
): Promise<CharmRevision[]> {
  if (ids.length === 0) return []
  const plain = ids.map((id) => toCharmURL(id).withRevision(-1).toString())
  const response = await client.do('/meta/any', {
    searchParams: { id: plain, 'ignore-auth': '1', include: 'id-revision' },
    signal: options.signal,
  })
  const body = (await response.json()) as Record<
    string,
    { Meta?: { 'id-revision'?: { Revision?: number } } }
  >
  return plain.map((id) => {
    const revision = body?.[id]?.Meta?.['id-revision']?.Revision
    if (typeof revision === 'number') return { revision }
    return {
      revision: -1,
      error: new WharfError('ERR_CHARM_NOT_FOUND', `${ErrorCode.NotFound}: ${id}`),
    }
  })
}

/** True when `error` says the metadata or entity is absent. */
export function isNotFound(error: unknown): boolean {
  return (
    error instanceof CharmStoreError &&
    (error.storeCode === ErrorCode.NotFound || error.storeCode === ErrorCode.MetadataNotFound)
  )
}
