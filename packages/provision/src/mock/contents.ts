import { empty, json, MockError } from './reply.js'
import type { Obj, Store } from './store.js'

type Bundle = { meta: Obj; sections: Record<string, Record<string, Obj>> }

const BUILTIN = [
  { Name: 'BackingStore', Type: 'writable', Writable: true },
  { Name: 'LocalStore', Type: 'local' },
  { Name: 'DefaultStore', Type: 'default' },
  { Name: 'BasicStore', Type: 'basic' },
]

function meta(m: Obj): Obj {
  return {
    Name: '',
    Source: '',
    Description: '',
    Version: '',
    Documentation: '',
    RequiredFeatures: '',
    Type: 'dynamic',
    Writable: false,
    Overwritable: false,
    ...m,
  }
}

function summary(bundle: Bundle): Obj {
  const Counts: Record<string, number> = {}
  for (const [section, items] of Object.entries(bundle.sections))
    Counts[section] = Object.keys(items).length
  return { meta: meta(bundle.meta), Counts, Warnings: [] }
}

function parse(body: unknown): Bundle {
  if (typeof body !== 'object' || body === null)
    throw new MockError(400, 'POST', 'body must be a Content object')
  const b = body as Obj
  return { meta: meta({ ...(b.meta ?? {}), Type: 'dynamic' }), sections: b.sections ?? {} }
}

function install(store: Store, bundle: Bundle): void {
  const clashes: string[] = []
  for (const [prefix, items] of Object.entries(bundle.sections)) {
    for (const key of Object.keys(items))
      if (store.find(prefix, key, true)) clashes.push(`${prefix}:${key}`)
  }
  if (clashes.length) {
    throw new MockError(
      409,
      'STORE_ERROR',
      `New layer violates key restrictions: ${clashes.join(', ')}`,
      'contents',
      bundle.meta.Name,
    )
  }
  for (const [prefix, items] of Object.entries(bundle.sections)) {
    for (const item of Object.values(items)) store.create(prefix, item, { readOnly: true })
  }
}

function uninstall(store: Store, bundle: Bundle): void {
  for (const [prefix, items] of Object.entries(bundle.sections)) {
    for (const key of Object.keys(items))
      if (store.find(prefix, key, true)) store.remove(prefix, key, { force: true })
  }
}

/** `/contents[/{name}]`: layer summaries, one bundle, create, replace and delete. */
export function contentRoute(
  store: Store,
  method: string,
  name: string | undefined,
  body: unknown,
): Response {
  if (name === undefined) {
    if (method === 'GET') {
      const builtins = BUILTIN.map((m) => ({ meta: meta(m), Counts: {}, Warnings: [] }))
      return json([...builtins, ...[...store.contents.values()].map(summary)])
    }
    if (method !== 'POST') throw new MockError(405, method, 'Method not allowed')
    const bundle = parse(body)
    const n = bundle.meta.Name
    if (!n) throw new MockError(422, 'STORE_ERROR', 'Content Store must have a name', 'contents')
    if (store.contents.has(n))
      throw new MockError(409, 'POST', `Content ${n} already exists`, 'contents', n)
    install(store, bundle)
    store.contents.set(n, bundle)
    store.publish('contents', 'create', n, summary(bundle))
    return json(summary(bundle), 201)
  }
  const existing = store.contents.get(name)
  if (method === 'GET') {
    if (!existing) throw new MockError(404, 'GET', 'No such content store', 'contents', name)
    return json({ meta: meta(existing.meta), sections: existing.sections })
  }
  if (method === 'PUT') {
    const bundle = parse(body)
    if (bundle.meta.Name !== name) {
      throw new MockError(
        400,
        'PUT',
        `Cannot change name from ${name} to ${bundle.meta.Name}`,
        'contents',
        name,
      )
    }
    if (!existing) throw new MockError(404, 'PUT', `Cannot find ${name}`, 'contents', name)
    uninstall(store, existing)
    try {
      install(store, bundle)
    } catch (error) {
      install(store, existing)
      throw error
    }
    store.contents.set(name, bundle)
    store.publish('contents', 'update', name, summary(bundle))
    return json(summary(bundle))
  }
  if (method === 'DELETE') {
    if (!existing) throw new MockError(404, 'DELETE', 'No such content store', 'contents', name)
    uninstall(store, existing)
    store.contents.delete(name)
    store.publish('contents', 'delete', name, summary(existing))
    return empty(204)
  }
  throw new MockError(405, method, 'Method not allowed')
}
