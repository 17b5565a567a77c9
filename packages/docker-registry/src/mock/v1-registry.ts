import { json, readBody, sha256Hex, v1Error } from './http.js'
import { fullName, type MockState, repository } from './state.js'
import { authorizeRegistry, type V1AuthOptions } from './v1-auth.js'

/** Options of the V1 registry side. */
export interface V1RegistryOptions extends V1AuthOptions {
  /** Largest layer accepted on PUT (default 64 MiB). */
  layerLimit?: number
  /** Cut the next `count` layer downloads after `bytes` bytes (mutable). */
  faults?: { cutLayer?: { bytes: number; count: number } }
}

/** A body that sends `bytes` bytes of `data` and then fails, as a dropped connection does. */
function cutBody(data: Uint8Array, bytes: number): ReadableStream<Uint8Array> {
  let sent = false
  return new ReadableStream({
    async pull(controller) {
      if (sent) {
        // Let the bytes already written leave before the connection drops.
        await new Promise((resolve) => setTimeout(resolve, 20))
        return controller.error(new Error('connection cut by the mock'))
      }
      sent = true
      controller.enqueue(data.slice(0, bytes))
    },
  })
}

const JSON_LIMIT = 1024 * 1024
const TAG = /^[\w][\w.-]{0,127}$/

function withHeaders(response: Response, headers: Headers): Response {
  for (const [k, v] of headers) response.headers.set(k, v)
  return response
}

function imageJsonOf(bytes: Uint8Array): { id?: unknown; parent?: unknown } | undefined {
  try {
    const value = JSON.parse(new TextDecoder().decode(bytes))
    return value && typeof value === 'object' && !Array.isArray(value) ? value : undefined
  } catch {
    return undefined
  }
}

/** The chain from an image to its base, bounded by the number of stored images. */
function ancestry(state: MockState, id: string): string[] {
  const out: string[] = []
  for (let at: string | undefined = id; at && out.length <= state.images.size; ) {
    out.push(at)
    at = state.images.get(at)?.parent
  }
  return out
}

/**
 * A layer download: `Range: bytes=N-[M]` gives 206, an unsatisfiable range 416; a pending
 * `cutLayer` fault sends only its first bytes and then breaks the body.
 */
function layerResponse(
  layer: Uint8Array,
  range: string | null,
  options: V1RegistryOptions,
): Response {
  const total = layer.byteLength
  const m = /^bytes=(\d+)-(\d*)$/.exec(range ?? '')
  const start = m ? Number(m[1]) : 0
  const end = m?.[2] ? Math.min(Number(m[2]), total - 1) : total - 1
  if (m && (start >= total || start > end)) {
    return new Response(null, { status: 416, headers: { 'content-range': `bytes */${total}` } })
  }
  const part = layer.slice(start, end + 1)
  const headers: Record<string, string> = {
    'content-type': 'application/octet-stream',
    'accept-ranges': 'bytes',
    'content-length': String(part.byteLength),
    ...(m ? { 'content-range': `bytes ${start}-${end}/${total}` } : {}),
  }
  const cut = options.faults?.cutLayer
  let body: BodyInit = part as BodyInit
  if (cut && cut.count > 0 && part.byteLength > cut.bytes) {
    cut.count--
    body = cutBody(part, cut.bytes)
  }
  return new Response(body, { status: m ? 206 : 200, headers })
}

/** `/v1/images/<id>/<json|layer|ancestry|checksum>`. */
export async function image(
  state: MockState,
  request: Request,
  id: string,
  part: string,
  options: V1RegistryOptions,
): Promise<Response> {
  const write = request.method === 'PUT'
  const auth = authorizeRegistry(state, request, options, { access: write ? 'write' : 'read' })
  if (auth instanceof Response) return auth
  const stored = state.images.get(id)
  const answer = async (): Promise<Response> => {
    if (!write) {
      if (!stored) return v1Error(404, 'Image not found')
      if (!stored.complete) return v1Error(400, 'Image is being uploaded, retry later')
      if (part === 'json') {
        const headers: Record<string, string> = {
          'content-type': 'application/json',
          'x-docker-size': String(stored.layer?.byteLength ?? 0),
        }
        if (stored.checksum) headers['x-docker-checksum'] = stored.checksum
        return new Response(stored.json as BodyInit, { headers })
      }
      if (part === 'layer')
        return layerResponse(
          stored.layer ?? new Uint8Array(0),
          request.headers.get('range'),
          options,
        )
      if (part === 'ancestry') return json(ancestry(state, id))
      return v1Error(405, 'Method not allowed')
    }
    if (part === 'json') {
      const body = await readBody(request, JSON_LIMIT)
      const parsed = body && imageJsonOf(body)
      if (!body || !parsed) return v1Error(400, 'Invalid JSON')
      if (parsed.id !== id) return v1Error(400, "JSON's id does not match the URL")
      if (stored?.complete) return v1Error(409, 'Image already exists')
      const parent = typeof parsed.parent === 'string' && parsed.parent ? parsed.parent : undefined
      if (parent && !state.images.get(parent)?.complete)
        return v1Error(400, 'Parent image not pushed')
      state.images.set(id, { id, json: body, ...(parent ? { parent } : {}), complete: false })
      return json('')
    }
    if (part === 'layer') {
      if (!stored) return v1Error(404, 'Image not found: push its JSON first')
      if (stored.complete) return v1Error(409, 'Image already exists')
      const body = await readBody(request, options.layerLimit ?? 64 * 1024 * 1024)
      if (!body) return v1Error(413, 'Layer too large')
      stored.layer = body
      return json('')
    }
    if (part === 'checksum') {
      if (!stored?.layer) return v1Error(409, 'Layer not uploaded: push JSON, then the layer')
      const checksum = request.headers.get('x-docker-checksum')
      const payload = request.headers.get('x-docker-checksum-payload')
      if (!checksum || !payload) return v1Error(400, 'Missing X-Docker-Checksum(-Payload)')
      const bytes = new Uint8Array(stored.json.byteLength + 1 + stored.layer.byteLength)
      bytes.set(stored.json)
      bytes[stored.json.byteLength] = 0x0a
      bytes.set(stored.layer, stored.json.byteLength + 1)
      if (payload !== `sha256:${await sha256Hex(bytes)}`) return v1Error(400, 'Checksum mismatch')
      stored.checksum = checksum
      stored.complete = true
      return json('')
    }
    return v1Error(405, 'Method not allowed')
  }
  return withHeaders(await answer(), auth.headers)
}

/** `/v1/repositories/<name>/tags[/<tag>]`. */
export async function tags(
  state: MockState,
  request: Request,
  name: string,
  tag: string | undefined,
  options: V1RegistryOptions,
): Promise<Response> {
  const write = request.method === 'PUT'
  const full = fullName(name)
  const auth = authorizeRegistry(state, request, options, {
    access: write ? 'write' : 'read',
    repository: full,
  })
  if (auth instanceof Response) return auth
  const answer = async (): Promise<Response> => {
    const repo = state.repositories.get(full)
    if (!write) {
      if (!repo) return v1Error(404, 'Repository not found')
      if (tag === undefined) return json(Object.fromEntries(repo.tags))
      const id = repo.tags.get(tag)
      return id ? json(id) : v1Error(404, 'Tag not found')
    }
    if (tag === undefined || !TAG.test(tag)) return v1Error(400, 'Invalid tag')
    const body = await readBody(request, JSON_LIMIT)
    let id: unknown
    try {
      id = JSON.parse(new TextDecoder().decode(body))
    } catch {
      return v1Error(400, 'Invalid data: the body must be a JSON string')
    }
    if (typeof id !== 'string') return v1Error(400, 'Invalid data: the body must be a JSON string')
    if (!state.images.get(id)?.complete) return v1Error(404, 'Image not found')
    repository(state, full).tags.set(tag, id)
    return json('OK')
  }
  return withHeaders(await answer(), auth.headers)
}
