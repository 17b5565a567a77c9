import { applyPatch, present } from './collections.js'
import { json, MockError } from './reply.js'
import type { Obj, Store } from './store.js'

/** Collections with a params sub-resource (§9.1). */
export const PARAM_OWNERS = new Set(['machines', 'profiles', 'plugins'])

function aggregate(store: Store, prefix: string, object: Obj): Obj {
  const profiles = store.collection('profiles')
  const layers: Obj[] = [object.Params ?? {}]
  if (prefix === 'machines') {
    for (const p of object.Profiles ?? []) layers.push(profiles.get(p)?.Params ?? {})
    for (const p of store.collection('stages').get(object.Stage)?.Profiles ?? []) {
      layers.push(profiles.get(p)?.Params ?? {})
    }
  }
  layers.push(profiles.get('global')?.Params ?? {})
  return Object.assign({}, ...layers.reverse())
}

/**
 * `/{prefix}/{id}/params[/{key…}]`: read (optionally aggregated over profiles, stage and
 * `global`, falling back to the Param's schema default), replace, set, patch and delete.
 * Every change is an `update` of the owning object.
 */
export function paramsRoute(
  store: Store,
  prefix: string,
  raw: string,
  name: string,
  method: string,
  query: URLSearchParams,
  body: unknown,
): Response {
  const [key, object] = store.get(prefix, raw, method)
  const params: Obj = { ...(object.Params ?? {}) }
  const save = (next: Obj) => store.update(prefix, key, { ...object, Params: next }, query)
  const aggregated = query.get('aggregate') === 'true'
  if (method === 'GET') {
    const all = aggregated ? aggregate(store, prefix, object) : params
    if (!name) return json(all)
    if (Object.hasOwn(all, name)) return json(all[name])
    const fallback = aggregated ? store.collection('params').get(name)?.Schema?.default : undefined
    return json(fallback ?? null)
  }
  if (method === 'POST' && !name) {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new MockError(400, 'POST', 'params must be a map', prefix, raw)
    }
    return json(present(prefix, save(body as Obj)).Params)
  }
  if (method === 'POST') {
    save({ ...params, [name]: body ?? null })
    return json(body ?? null)
  }
  if (method === 'PATCH' && !name) return json(save(applyPatch(prefix, raw, params, body)).Params)
  if (method === 'DELETE' && name) {
    if (!Object.hasOwn(params, name))
      throw new MockError(404, 'DELETE', 'Not Found', 'params', name)
    const value = params[name]
    delete params[name]
    save(params)
    return json(value)
  }
  throw new MockError(405, method, 'Method not allowed', prefix, raw)
}
