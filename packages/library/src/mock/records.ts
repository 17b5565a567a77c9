import type { MockContext } from './context.js'
import { field, ok, readJson, refuse } from './http.js'
import type { MockContainer } from './state.js'
import { collectionJson, containerJson, entityJson, imageJson } from './views.js'

/** Entities, collections, containers and images: find, create, delete. */
export async function records(
  ctx: MockContext,
  request: Request,
  path: string[],
  url: URL,
): Promise<Response | undefined> {
  const { store } = ctx
  const [kind, ...rest] = path
  const method = request.method
  const missing = () => refuse(404, 'Not found')
  if (method === 'GET' && kind === 'entities' && rest.length === 1) {
    const entity = store.entity(rest[0]!) ?? missing()
    return ok(entityJson(store, entity))
  }
  if (method === 'GET' && kind === 'collections' && rest.length === 2) {
    const collection = store.collection(rest[0]!, rest[1]!) ?? missing()
    return ok(collectionJson(store, collection))
  }
  if (method === 'GET' && kind === 'containers' && rest.length === 3) {
    const container = store.container(rest[0]!, rest[1]!, rest[2]!) ?? missing()
    return ok(containerJson(store, container))
  }
  if (method === 'POST' && rest.length === 0) {
    const body = await readJson(request)
    const name = field(body, 'name', kind === 'images')
    const description = field(body, 'description', true)
    if (kind === 'entities') return ok(entityJson(store, store.addEntity(name, description)))
    if (kind === 'collections') {
      const created = store.addCollection(field(body, 'entity'), name, description)
      return ok(collectionJson(store, created))
    }
    if (kind === 'containers') {
      const created = store.addContainer(field(body, 'collection'), name, description)
      return ok(containerJson(store, created))
    }
    if (kind === 'images') {
      const hash = field(body, 'hash')
      if (!/^(sha256\.[a-f0-9]{64}|sif\.[0-9a-f-]{36})$/.test(hash)) {
        refuse(400, `hash ${JSON.stringify(hash)} is not an image hash`)
      }
      const created = store.addImage(field(body, 'container'), hash, description)
      return ok(imageJson(store, created))
    }
  }
  if (kind === 'images' && rest.length > 0 && (method === 'GET' || method === 'DELETE')) {
    if (!url.searchParams.has('arch') && method === 'DELETE') refuse(400, 'arch is required')
    const { image } = store.resolve(rest.join('/'), url.searchParams.get('arch') ?? '')
    if (!image) return missing()
    const json = imageJson(store, image)
    if (method === 'DELETE') store.deleteImage(image)
    return ok(json)
  }
  return undefined
}

/** `v1/tags/<container>` (legacy) and `v2/tags/<container>` (per architecture). */
export async function tags(
  ctx: MockContext,
  request: Request,
  version: 'v1' | 'v2',
  containerId: string,
): Promise<Response> {
  const container: MockContainer =
    ctx.store.containers.get(containerId) ?? refuse(404, `no container ${containerId}`)
  if (request.method === 'GET') {
    return ok(version === 'v1' ? container.imageTags : container.archTags)
  }
  if (request.method !== 'POST') refuse(405, 'method not allowed')
  const body = await readJson(request)
  const arch = version === 'v2' ? field(body, 'Arch', true) : undefined
  ctx.store.setTag(container, field(body, 'Tag'), field(body, 'ImageID', true), arch)
  return ok(version === 'v1' ? container.imageTags : container.archTags)
}

/** `v1/search?value=…[&arch=…][&signed=…]`. */
export function search(ctx: MockContext, url: URL): Response {
  const { store } = ctx
  const value = url.searchParams.get('value') ?? ''
  if (value.length < 3) refuse(400, 'search value must be at least 3 characters')
  const needle = value.toLowerCase()
  const hit = (text: string) => text.toLowerCase().includes(needle)
  const arches = (url.searchParams.get('arch') ?? '').split(',').filter(Boolean)
  const signed = url.searchParams.get('signed')
  const imagesOnly = arches.length > 0 || (signed !== null && signed !== '')
  const images = [...store.images.values()].filter((i) => {
    if (!i.uploaded) return false
    const { container } = store.lineage(i)
    if (!hit(i.hash) && !hit(container.name)) return false
    if (arches.length > 0 && !arches.includes(i.arch ?? '')) return false
    if (signed === 'true' && i.signed !== true) return false
    if (signed === 'false' && i.signed === true) return false
    return true
  })
  return ok({
    entity: imagesOnly
      ? []
      : [...store.entities.values()].filter((e) => hit(e.name)).map((e) => entityJson(store, e)),
    collection: imagesOnly
      ? []
      : [...store.collections.values()]
          .filter((c) => hit(c.name))
          .map((c) => collectionJson(store, c)),
    container: imagesOnly
      ? []
      : [...store.containers.values()]
          .filter((c) => hit(c.name))
          .map((c) => containerJson(store, c)),
    image: images.map((i) => imageJson(store, i)),
  })
}
