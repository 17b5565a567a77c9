import { json, readBody, v1Error } from './http.js'
import { fullName, type MockState, repository } from './state.js'
import { authorizeRegistry, basicFailure, checkBasic, issueToken } from './v1-auth.js'

/** Options of the V1 index side. */
export interface V1IndexOptions {
  standalone: boolean
  version: string
  /** Hosts for `X-Docker-Endpoints`; default the host the request was sent to. */
  endpoints?: string[]
}

const ID = /^[a-f0-9]{64}$/
const LIST_LIMIT = 1024 * 1024

function endpointsHeader(request: Request, options: V1IndexOptions): string {
  return (options.endpoints ?? [new URL(request.url).host]).join(', ')
}

async function readImageList(
  request: Request,
): Promise<Array<{ id: string; checksum?: string; Tag?: string }> | undefined> {
  const body = await readBody(request, LIST_LIMIT)
  if (!body) return undefined
  let list: unknown
  try {
    list = JSON.parse(new TextDecoder().decode(body))
  } catch {
    return undefined
  }
  if (!Array.isArray(list)) return undefined
  const out: Array<{ id: string; checksum?: string; Tag?: string }> = []
  for (const e of list) {
    if (!e || typeof e !== 'object' || typeof e.id !== 'string' || !ID.test(e.id)) return undefined
    out.push({
      id: e.id,
      ...(typeof e.checksum === 'string' ? { checksum: e.checksum } : {}),
      ...(typeof e.Tag === 'string' ? { Tag: e.Tag } : {}),
    })
  }
  return out
}

/** `GET /v1/_ping` with the version and standalone headers. */
export function ping(options: V1IndexOptions): Response {
  return json(true, 200, {
    'x-docker-registry-version': options.version,
    'x-docker-registry-standalone': options.standalone ? 'true' : 'false',
    'x-docker-registry-config': 'mock',
  })
}

/** `GET /v1/users/`: the V1 login check. */
export function users(state: MockState, request: Request): Response {
  return basicFailure(checkBasic(state, request)) ?? json('OK')
}

/** `GET /v1/repositories/<name>/images`: pull start with token and endpoints. */
export function getImages(
  state: MockState,
  request: Request,
  name: string,
  options: V1IndexOptions,
): Response {
  const repo = state.repositories.get(fullName(name))
  const basic = checkBasic(state, request)
  if (basic.kind === 'invalid' || basic.kind === 'inactive') return basicFailure(basic)!
  if (!repo || (repo.private && basic.kind !== 'user')) {
    return repo ? basicFailure(basic)! : v1Error(404, 'Repository not found')
  }
  const headers: Record<string, string> = {
    'x-docker-endpoints': endpointsHeader(request, options),
  }
  if (request.headers.get('x-docker-token') === 'true') {
    headers['x-docker-token'] = issueToken(state, repo.name, 'read')
  }
  return json(repo.images, 200, headers)
}

/** `PUT /v1/repositories/<name>/`: declares a push, answers with a write token and endpoints. */
export async function putRepository(
  state: MockState,
  request: Request,
  name: string,
  options: V1IndexOptions,
): Promise<Response> {
  const failure = basicFailure(checkBasic(state, request))
  if (failure) return failure
  const list = await readImageList(request)
  if (!list) return v1Error(400, 'Error: Invalid JSON (a list of {"id": <64 hex>, "Tag"?})')
  const repo = repository(state, name)
  repo.images = list
  const headers: Record<string, string> = {
    'x-docker-endpoints': endpointsHeader(request, options),
  }
  if (request.headers.get('x-docker-token') === 'true') {
    headers['x-docker-token'] = issueToken(state, repo.name, 'write')
  }
  return json('', 200, headers)
}

/** `PUT /v1/repositories/<name>/images`: closes a push; every image must be fully pushed. */
export async function putImages(
  state: MockState,
  request: Request,
  name: string,
  options: V1IndexOptions,
): Promise<Response> {
  const repo = state.repositories.get(fullName(name))
  const basic = checkBasic(state, request)
  if (basic.kind !== 'user') {
    const auth = authorizeRegistry(state, request, options, {
      access: 'write',
      repository: fullName(name),
    })
    if (auth instanceof Response) return auth
  }
  if (!repo) return v1Error(404, 'Repository not found: declare it with PUT first')
  if (!request.headers.get('x-docker-endpoints')) return v1Error(400, 'X-Docker-Endpoints missing')
  const list = await readImageList(request)
  if (!list) return v1Error(400, 'Error: Invalid JSON')
  for (const entry of list) {
    const image = state.images.get(entry.id)
    if (!image?.complete) return v1Error(400, `Image ${entry.id} was not pushed`)
    if (entry.checksum !== undefined && entry.checksum !== image.checksum) {
      return v1Error(400, `Checksum of ${entry.id} does not match the pushed one`)
    }
  }
  const checksums = new Map(list.map((e) => [e.id, e.checksum]))
  repo.images = repo.images.map((e) => ({
    ...e,
    ...(checksums.get(e.id) ? { checksum: checksums.get(e.id)! } : {}),
  }))
  return new Response(null, { status: 204 })
}
