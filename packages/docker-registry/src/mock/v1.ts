import { v1Error } from './http.js'
import { search } from './search.js'
import type { MockState } from './state.js'
import * as index from './v1-index.js'
import * as registry from './v1-registry.js'

/** Options of the V1 handler: index and registry on one origin. */
export interface V1Options extends index.V1IndexOptions, registry.V1RegistryOptions {}

const IMAGE = /^\/v1\/images\/([a-f0-9]{64})\/(json|layer|ancestry|checksum)$/
const TAGS = /^\/v1\/repositories\/((?:[^/]+\/)?[^/]+)\/tags(?:\/([^/]+))?$/
const IMAGES = /^\/v1\/repositories\/((?:[^/]+\/)?[^/]+)\/images$/
const REPOSITORY = /^\/v1\/repositories\/((?:[^/]+\/)?[^/]+?)\/?$/
const NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)?$/

/** Routes `/v1/…` requests to the V1 index, registry and search handlers. */
export async function handleV1(
  state: MockState,
  request: Request,
  options: V1Options,
): Promise<Response> {
  const path = new URL(request.url).pathname
  const method = request.method
  if (path === '/v1/_ping' && method === 'GET') return index.ping(options)
  if (/^\/v1\/users\/?$/.test(path) && method === 'GET') return index.users(state, request)
  if (path === '/v1/search' && method === 'GET') return search(state, request)
  const img = IMAGE.exec(path)
  if (img) {
    const allowed =
      method === 'GET' ? img[2] !== 'checksum' : method === 'PUT' && img[2] !== 'ancestry'
    if (!allowed) return v1Error(405, 'Method not allowed')
    return registry.image(state, request, img[1]!, img[2]!, options)
  }
  if (path.startsWith('/v1/images/')) return v1Error(404, 'Image not found (bad id or path)')
  const tagsMatch = TAGS.exec(path)
  const imagesMatch = tagsMatch ? null : IMAGES.exec(path)
  const repoMatch = tagsMatch || imagesMatch ? null : REPOSITORY.exec(path)
  const name = decodeURIComponent((tagsMatch ?? imagesMatch ?? repoMatch)?.[1] ?? '')
  if (!NAME.test(name)) return v1Error(404, 'Not found')
  if (tagsMatch) {
    if (method !== 'GET' && method !== 'PUT') return v1Error(405, 'Method not allowed')
    const tag = tagsMatch[2] === undefined ? undefined : decodeURIComponent(tagsMatch[2])
    return registry.tags(state, request, name, tag, options)
  }
  if (imagesMatch) {
    if (method === 'GET') return index.getImages(state, request, name, options)
    if (method === 'PUT') return index.putImages(state, request, name, options)
    return v1Error(405, 'Method not allowed')
  }
  if (method === 'PUT') return index.putRepository(state, request, name, options)
  return v1Error(405, 'Method not allowed')
}
