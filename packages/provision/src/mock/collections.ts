import jsonpatch, { type Operation } from 'fast-json-patch'
import { applyListQuery, type DynamicIndex } from './filters.js'
import { empty, json, MockError } from './reply.js'
import type { Obj, Store } from './store.js'
import { indexesOf } from './types.js'

const PATCH_TEXT: Record<string, (op: Operation) => string> = {
  TEST_OPERATION_FAILED: () => 'Test op failed.',
  OPERATION_PATH_UNRESOLVABLE: (op) => `${op.path} does not refer to an existing location`,
  OPERATION_FROM_UNRESOLVABLE: (op) => `${(op as any).from} does not refer to an existing location`,
  OPERATION_PATH_ILLEGAL_ARRAY_INDEX: () => 'Index out of bounds',
  OPERATION_VALUE_OUT_OF_BOUNDS: () => 'Index out of bounds',
}

/** Removes what the server never returns (`PasswordHash`) and applies `?slim=`. */
export function present(prefix: string, object: Obj, slim: string | null = null): Obj {
  const out = { ...object }
  if (prefix === 'users') delete out.PasswordHash
  for (const word of (slim ?? '').toLowerCase().split(',')) {
    if (word === 'params' && 'Params' in out) out.Params = {}
    if (word === 'meta' && 'Meta' in out) out.Meta = {}
  }
  return out
}

/** Applies an RFC 6902 patch to a stored document; 409 `PATCH` with the failing line. */
export function applyPatch(prefix: string, key: string, document: Obj, patch: unknown): Obj {
  if (!Array.isArray(patch))
    throw new MockError(400, 'PATCH', 'patch body must be a JSON array', prefix, key)
  let doc: any = JSON.parse(JSON.stringify(document))
  patch.forEach((op: Operation, line) => {
    try {
      doc = jsonpatch.applyOperation(doc, op, true, true, true, line).newDocument
    } catch (error) {
      const name = (error as any)?.name as string
      const text = PATCH_TEXT[name]?.(op) ?? (error as Error).message
      const status =
        name === 'OPERATION_OP_INVALID' || name === 'OPERATION_PATH_INVALID' ? 400 : 409
      throw new MockError(
        status,
        'PATCH',
        [`Patch error at line ${line}: ${text}`, `Patch line: ${JSON.stringify(op)}`],
        prefix,
        key,
      )
    }
  })
  return doc
}

function aggregated(store: Store, machine: Obj, name: string): unknown {
  const sources = [
    machine.Params,
    ...((machine.Profiles as string[]) ?? []).map(
      (p) => store.collection('profiles').get(p)?.Params,
    ),
    ...((store.collection('stages').get(machine.Stage)?.Profiles as string[]) ?? []).map(
      (p) => store.collection('profiles').get(p)?.Params,
    ),
    store.collection('profiles').get('global')?.Params,
  ]
  for (const s of sources) if (s && Object.hasOwn(s, name)) return s[name]
  return store.collection('params').get(name)?.Schema?.default
}

function machineParams(store: Store): DynamicIndex {
  return (name) => {
    const param = store.collection('params').get(name)
    if (!param) return undefined
    return {
      value: (item) => aggregated(store, item.object, name),
      parse: (text) => {
        try {
          return JSON.parse(text)
        } catch {
          if (param.Schema?.type === 'string') return text
          throw new MockError(406, 'GET', `Invalid value for ${name}: ${text}`, 'machines')
        }
      },
    }
  }
}

/** `GET|HEAD /{prefix}` with the list grammar and the count headers. */
export function listCollection(
  store: Store,
  prefix: string,
  method: string,
  query: URLSearchParams,
): Response {
  const spec = store.spec(prefix, method)
  const all = store.items(prefix)
  let items: ReturnType<typeof applyListQuery>
  try {
    items = applyListQuery(
      all,
      query,
      indexesOf(spec),
      prefix === 'machines' ? machineParams(store) : undefined,
    )
  } catch (error) {
    if (error instanceof MockError) {
      throw new MockError(error.status, method, error.body.Messages, prefix)
    }
    throw error
  }
  const headers = {
    'x-drp-list-count': String(items.length),
    'x-drp-list-total-count': String(all.length),
  }
  const slim = query.get('slim')
  if (method === 'HEAD') return empty(200, headers)
  return json(
    items.map((i) => present(prefix, i.object, slim)),
    200,
    headers,
  )
}

/** Std routes on one object: GET, HEAD, PUT, PATCH, DELETE. */
export function objectRoute(
  store: Store,
  prefix: string,
  raw: string,
  method: string,
  query: URLSearchParams,
  body: unknown,
): Response {
  const spec = store.spec(prefix, method)
  if (method === 'GET' || method === 'HEAD') {
    const [, object] = store.get(prefix, raw, method)
    return method === 'HEAD' ? empty(200) : json(present(prefix, object, query.get('slim')))
  }
  if (method === 'DELETE') return json(present(prefix, store.remove(prefix, raw)))
  if (!spec.writable || (method !== 'PUT' && method !== 'PATCH')) {
    throw new MockError(405, method, 'Method not allowed', prefix, raw)
  }
  const [key, object] = store.get(prefix, raw, method, true)
  if (method === 'PUT') return json(present(prefix, store.update(prefix, key, body, query)))
  if (object.ReadOnly) throw new MockError(400, 'PATCH', `readonly: ${key}`, prefix, key)
  return json(
    present(prefix, store.update(prefix, key, applyPatch(prefix, key, object, body), query)),
  )
}
