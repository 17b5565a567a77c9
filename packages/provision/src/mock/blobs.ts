import { bytes, empty, json, MockError, readBody } from './reply.js'
import type { Store } from './store.js'

function cleanPath(parts: string[]): string {
  return `/${parts.filter((p) => p !== '' && p !== '.' && p !== '..').join('/')}`
}

function isDir(store: Store, dir: string): boolean {
  if (dir === '/') return true
  const prefix = `${dir}/`
  return [...store.files.keys()].some((f) => f.startsWith(prefix))
}

/** `GET /files?path=`: the entries of a directory, sub-directories with a trailing `/`. */
export function listFiles(store: Store, path: string | null): Response {
  const dir = cleanPath((path ?? '/').split('/'))
  if (!isDir(store, dir)) {
    throw new MockError(404, 'API ERROR', `list: error listing files: ${dir}: no such directory`)
  }
  const prefix = dir === '/' ? '/' : `${dir}/`
  const names = new Set<string>()
  for (const f of store.files.keys()) {
    if (!f.startsWith(prefix)) continue
    const rest = f.slice(prefix.length)
    const slash = rest.indexOf('/')
    names.add(slash < 0 ? rest : `${rest.slice(0, slash)}/`)
  }
  return json([...names].sort())
}

function checkUploadType(request: Request, status: number, message: (t: string) => string[]) {
  const type = request.headers.get('content-type') ?? ''
  if (!type.startsWith('application/octet-stream')) {
    throw new MockError(status, 'API ERROR', message(type))
  }
}

/** `/files/{path…}`: GET, POST (octet-stream, parents created) and DELETE. */
export async function fileRoute(store: Store, request: Request, parts: string[], limit: number) {
  const path = cleanPath(parts)
  const method = request.method
  if (method === 'GET' || method === 'HEAD') {
    const data = store.files.get(path)
    if (!data) throw new MockError(404, 'GET', 'Not a regular file', 'files', path)
    return bytes(data)
  }
  if (method === 'POST') {
    checkUploadType(request, 400, (t) => [`Want content-type application/octet-stream, not ${t}`])
    if (parts.at(-1) === '') throw new MockError(403, 'API ERROR', 'Cannot upload a directory')
    const segments = path.split('/')
    for (let i = 2; i < segments.length; i++) {
      const parent = segments.slice(0, i).join('/')
      if (store.files.has(parent))
        throw new MockError(409, 'API ERROR', `Cannot create directory ${parent}`)
    }
    if (isDir(store, path)) throw new MockError(403, 'API ERROR', 'Cannot upload a directory')
    const data = await readBody(request, limit, 'upload')
    store.files.set(path, data)
    return json({ Path: path, Size: data.byteLength }, 201)
  }
  if (method === 'DELETE') {
    if (!store.files.delete(path))
      throw new MockError(404, 'API ERROR', 'Unable to delete', 'files', path)
    return empty(204)
  }
  throw new MockError(405, method, 'Method not allowed')
}

/** `/isos[/{name}]`: list, GET, POST (re-saves bootenvs waiting for it) and DELETE. */
export async function isoRoute(
  store: Store,
  request: Request,
  name: string | undefined,
  limit: number,
) {
  const method = request.method
  if (name === undefined) {
    if (method !== 'GET') throw new MockError(405, method, 'Method not allowed')
    return json([...store.isos.keys()].sort())
  }
  if (method === 'GET' || method === 'HEAD') {
    const data = store.isos.get(name)
    if (!data) throw new MockError(404, 'GET', 'Not a regular file', 'isos', name)
    return bytes(data)
  }
  if (method === 'POST') {
    checkUploadType(request, 415, (t) => [
      `Invalid content type ${t},`,
      'Want application/octet-stream or multipart/form-data',
    ])
    const data = await readBody(request, limit, 'upload')
    store.isos.set(name, data)
    for (const [key, env] of store.collection('bootenvs')) {
      if (env.OS?.IsoFile === name) store.save('bootenvs', key, { ...env })
    }
    return json({ Path: name, Size: data.byteLength }, 201)
  }
  if (method === 'DELETE') {
    if (!store.isos.delete(name)) throw new MockError(404, 'API ERROR', 'no such iso', 'isos', name)
    return empty(204)
  }
  throw new MockError(405, method, 'Method not allowed')
}
