import { applyPatch } from './collections.js'
import { json, MockError } from './reply.js'
import type { Store } from './store.js'
import { specOf } from './types.js'

/** `GET /meta/{prefix}/{key…}` and `PATCH /meta/{prefix}/{key}` (§9.3); a change is an `update`. */
export function metaRoute(store: Store, method: string, seg: string[], body: unknown): Response {
  const prefix = seg[1] ?? ''
  const spec = specOf(prefix)
  if (!spec) throw new MockError(400, method, `No such Model: ${prefix}`)
  if (!spec.validation)
    throw new MockError(400, method, 'Object type does not have metadata', prefix)
  const raw = seg.slice(2).join('/')
  const [key, object] = store.get(prefix, raw, method)
  if (method === 'GET') return json(object.Meta ?? {})
  if (method !== 'PATCH') throw new MockError(405, method, 'Method not allowed', prefix, raw)
  const meta = applyPatch(prefix, raw, object.Meta ?? {}, body)
  return json(store.update(prefix, key, { ...object, Meta: meta }).Meta)
}
