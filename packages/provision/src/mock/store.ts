import type { EventHub } from './events.js'
import type { Item } from './filters.js'
import { MockError } from './reply.js'
import { indexesOf, type ModelSpec, specOf } from './types.js'

/** A stored object. */
export type Obj = Record<string, any>

/** Clock and id sources of the fake (injectable for deterministic tests). */
export interface Sources {
  now(): Date
  uuid(): string
  secret(): string
}

/** Per-model behaviour beyond the generic CRUD (see rules.ts). */
export interface Rules {
  /** Adjusts a new object before validation (server defaults). */
  create?(object: Obj, store: Store): void
  /** Adjusts an updated object before validation. */
  update?(old: Obj, next: Obj, store: Store, query: URLSearchParams): void
  /** Structural problems (422) and reference problems (stored with Available:false). */
  validate?(object: Obj, store: Store): { structural: string[]; references: string[] }
  /** Refuses a delete by throwing a MockError. */
  beforeDelete?(key: string, object: Obj, store: Store): void
}

const clone = <T>(v: T): T => (v === undefined ? v : JSON.parse(JSON.stringify(v)))

function ipv4Hex(text: string): string | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text)
  if (!m) return undefined
  const b = m.slice(1).map(Number)
  if (b.some((x) => x > 255)) return undefined
  return b.map((x) => x.toString(16).toUpperCase().padStart(2, '0')).join('')
}

/** The in-memory object store: one map per collection, events after every commit. */
export class Store {
  readonly data = new Map<string, Map<string, Obj>>()
  readonly sources: Sources
  readonly hub: EventHub
  readonly rules: Record<string, Rules>
  readonly prefs: Record<string, string>
  /** The files tree: path (with leading `/`) → content. */
  readonly files = new Map<string, Uint8Array>()
  /** The flat ISO store. */
  readonly isos = new Map<string, Uint8Array>()
  /** Job logs by job UUID. */
  readonly jobLogs = new Map<string, Uint8Array[]>()
  /** Uploaded content bundles by name. */
  readonly contents = new Map<
    string,
    { meta: Obj; sections: Record<string, Record<string, Obj>> }
  >()

  constructor(
    sources: Sources,
    hub: EventHub,
    rules: Record<string, Rules>,
    prefs: Record<string, string>,
  ) {
    this.sources = sources
    this.hub = hub
    this.rules = rules
    this.prefs = prefs
  }

  /** The spec of a collection; 404 "No route" when unknown. */
  spec(prefix: string, method = 'GET'): ModelSpec {
    const spec = specOf(prefix)
    if (!spec) throw new MockError(404, method, 'No route', '', prefix)
    return spec
  }

  /** The map of one collection. */
  collection(prefix: string): Map<string, Obj> {
    const existing = this.data.get(prefix)
    if (existing) return existing
    const created = new Map<string, Obj>()
    this.data.set(prefix, created)
    return created
  }

  /** The key of an object of `spec` ("" when unset). */
  keyOf(spec: ModelSpec, object: Obj): string {
    const raw = object[spec.key]
    if (typeof raw !== 'string' || raw === '') return ''
    return spec.hex ? (ipv4Hex(raw) ?? raw) : raw
  }

  /** Every object of a collection as list items. */
  items(prefix: string): Item[] {
    return [...this.collection(prefix)].map(([key, object]) => ({ key, object }))
  }

  /**
   * Resolves a key from a URL: literal key, dotted IP for hex-keyed models, or
   * `Index:value` on a unique index (unless `literalOnly`, as PATCH and PUT do).
   */
  find(prefix: string, raw: string, literalOnly = false): [string, Obj] | undefined {
    const spec = this.spec(prefix)
    const c = this.collection(prefix)
    const key = spec.hex ? (ipv4Hex(raw) ?? raw) : raw
    const direct = c.get(key)
    if (direct) return [key, direct]
    const colon = raw.indexOf(':')
    if (literalOnly || colon < 0) return undefined
    const name = raw.slice(0, colon)
    const value = raw.slice(colon + 1)
    const index = indexesOf(spec)?.[name]
    if (!index?.unique) return undefined
    const hits = [...c]
      .filter(([k, o]) => String(index.get ? index.get(o, k) : o[name]) === value)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return hits[0]
  }

  /** Like find, but 404 with the server's wording when missing. */
  get(prefix: string, raw: string, method = 'GET', literalOnly = false): [string, Obj] {
    const hit = this.find(prefix, raw, literalOnly)
    if (!hit) throw new MockError(404, method, 'Not Found', prefix, raw)
    return hit
  }

  /** Applies defaults and recomputes the validation block; 422 on structural problems. */
  #check(spec: ModelSpec, object: Obj, key: string, strictRefs: boolean): Obj {
    for (const [field, value] of Object.entries(spec.defaults)) {
      if (object[field] === undefined || object[field] === null) object[field] = clone(value)
    }
    if (object.Meta === undefined || object.Meta === null) object.Meta = {}
    if (!spec.validation) return object
    const { structural, references } = this.rules[spec.prefix]?.validate?.(object, this) ?? {
      structural: [],
      references: [],
    }
    if (structural.length || (strictRefs && references.length)) {
      throw new MockError(422, 'ValidationError', [...structural, ...references], spec.prefix, key)
    }
    object.Validated = true
    object.Available = references.length === 0
    object.Errors = references
    object.ReadOnly = object.ReadOnly === true
    if (spec.prefix === 'machines' && !object.Available) object.Runnable = false
    return object
  }

  /** Publishes a model event. */
  publish(type: string, action: string, key: string, object: unknown): void {
    this.hub.publish({
      Time: this.sources.now().toISOString(),
      Type: type,
      Action: action,
      Key: key,
      Object: clone(object),
    })
  }

  /** POST: creates an object; 400 empty key, 409 duplicate, 422 invalid. */
  create(
    prefix: string,
    input: unknown,
    options: { readOnly?: boolean; silent?: boolean } = {},
  ): Obj {
    const spec = this.spec(prefix, 'POST')
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new MockError(400, 'POST', 'body must be a JSON object', prefix)
    }
    const object = clone(input) as Obj
    this.rules[prefix]?.create?.(object, this)
    const key = this.keyOf(spec, object)
    if (!key) throw new MockError(400, 'CREATE', 'Empty key not allowed', prefix)
    if (this.collection(prefix).has(key)) {
      throw new MockError(409, 'CREATE', 'already exists', prefix, key)
    }
    object.ReadOnly = options.readOnly === true
    this.#check(spec, object, key, prefix === 'machines')
    object.ReadOnly = options.readOnly === true
    this.collection(prefix).set(key, object)
    if (!options.silent) this.publish(prefix, 'create', key, object)
    return object
  }

  /** PUT/PATCH result: replaces an object after the update rules; emits `update` (or `action`). */
  update(
    prefix: string,
    key: string,
    input: unknown,
    query = new URLSearchParams(),
    action = 'update',
  ): Obj {
    const spec = this.spec(prefix)
    const old = this.collection(prefix).get(key)
    if (!old) throw new MockError(404, 'PUT', 'Not Found', prefix, key)
    if (old.ReadOnly && action === 'update') {
      throw new MockError(400, 'PUT', `readonly: ${key}`, prefix, key)
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new MockError(406, 'PATCH', 'result is not an object', prefix, key)
    }
    const next = clone(input) as Obj
    const nextKey = this.keyOf(spec, next)
    if (nextKey !== key) {
      throw new MockError(
        400,
        'PUT',
        `Key change from ${key} to ${nextKey} not allowed`,
        prefix,
        key,
      )
    }
    next.ReadOnly = old.ReadOnly === true
    this.rules[prefix]?.update?.(old, next, this, query)
    this.#check(spec, next, key, false)
    this.collection(prefix).set(key, next)
    this.publish(prefix, action, key, next)
    return next
  }

  /** An internal save (job engine, ISO uploads): no ReadOnly check, `save` event. */
  save(prefix: string, key: string, object: Obj): Obj {
    const spec = this.spec(prefix)
    this.#check(spec, object, key, false)
    this.collection(prefix).set(key, object)
    this.publish(prefix, 'save', key, object)
    return object
  }

  /** DELETE: removes an object after the delete rules; emits `delete`. */
  remove(prefix: string, raw: string, options: { force?: boolean } = {}): Obj {
    const [key, object] = this.get(prefix, raw, 'DELETE')
    if (object.ReadOnly && !options.force) {
      throw new MockError(404, 'DELETE', `readonly: ${key}`, prefix, raw)
    }
    if (!options.force) this.rules[prefix]?.beforeDelete?.(key, object, this)
    this.collection(prefix).delete(key)
    this.publish(prefix, 'delete', key, object)
    return object
  }
}
