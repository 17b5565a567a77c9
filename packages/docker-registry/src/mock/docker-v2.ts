import type { MockRegistry } from '@wharf/distribution/mock'
import { json, readBody } from './http.js'
import {
  checkSchema1,
  registryError,
  SCHEMA1,
  SCHEMA1_SIGNED,
  type Schema1Store,
} from './schema1.js'

/** Docker Hub's pull rate limit as the mock applies it to manifest GETs. */
export interface MockRateLimit {
  /** Pulls per window. */
  limit: number
  /** Pulls left (default `limit`); mutable. */
  remaining?: number
  /** Window in seconds (default 21 600). */
  window?: number
  /** `docker-ratelimit-source` (default `127.0.0.1`). */
  source?: string
  /** `Retry-After` seconds on the 429, when set. */
  retryAfter?: number
}

const MANIFEST = /^\/v2\/(.+)\/manifests\/([^/]+)$/
const TAGS = /^\/v2\/(.+)\/tags\/list$/
const MANIFEST_LIMIT = 4 * 1024 * 1024

function essence(type: string | null): string {
  return (type ?? '').split(';')[0]!.trim().toLowerCase()
}

/**
 * Docker's additions to the distribution mock's V2 API: schema 1 manifests (signed ones
 * digested over their JWS payload), tags of schema 1 manifests in tag lists, Hub's pull
 * rate limit headers with a `429 TOOMANYREQUESTS` once it runs out, and Hub's delete rules.
 */
export class DockerV2 {
  readonly schema1: Schema1Store = { repositories: new Map() }
  rateLimit: MockRateLimit | undefined

  constructor(
    private readonly inner: MockRegistry,
    options: { rateLimit?: MockRateLimit; hub?: boolean } = {},
  ) {
    this.rateLimit = options.rateLimit && { ...options.rateLimit }
    this.hub = !!options.hub
  }

  private readonly hub: boolean

  /** Handles a `/v2/…` request: Docker behaviour where it applies, the distribution mock otherwise. */
  async handle(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname
    const manifest = MANIFEST.exec(path)
    if (manifest) {
      const [, name, reference] = manifest as unknown as [string, string, string]
      if (
        request.method === 'PUT' &&
        [SCHEMA1, SCHEMA1_SIGNED].includes(essence(request.headers.get('content-type')))
      ) {
        return this.#putSchema1(request, decodeURIComponent(name), decodeURIComponent(reference))
      }
      // Anonymous deletes go on to the 401 challenge; authenticated ones meet Hub's rules.
      if (request.method === 'DELETE' && this.hub && request.headers.has('authorization')) {
        const refused = this.#hubDelete(decodeURIComponent(name), decodeURIComponent(reference))
        if (refused) return refused
      }
      if (request.method === 'GET' || request.method === 'HEAD') {
        return this.#limited(request, () =>
          this.#getManifest(request, decodeURIComponent(name), decodeURIComponent(reference)),
        )
      }
    }
    const tags = TAGS.exec(path)
    if (tags && request.method === 'GET') return this.#tags(request, decodeURIComponent(tags[1]!))
    return this.inner.handle(request)
  }

  /** Hub deletes by digest only (405 for tags) and refuses a manifest a tag still names (403). */
  #hubDelete(name: string, reference: string): Response | undefined {
    if (!reference.includes(':')) {
      return registryError(405, 'UNSUPPORTED', 'The operation is unsupported: delete by digest')
    }
    const tagged = this.inner
      .tags(name)
      .some((tag) => this.inner.manifest(name, tag)?.digest === reference)
    return tagged
      ? registryError(403, 'DENIED', 'the manifest is still referenced by a tag')
      : undefined
  }

  async #limited(request: Request, answer: () => Promise<Response>): Promise<Response> {
    const limit = this.rateLimit
    if (!limit) return answer()
    const window = limit.window ?? 21_600
    const headers = (remaining: number) => ({
      'ratelimit-limit': `${limit.limit};w=${window}`,
      'ratelimit-remaining': `${Math.max(remaining, 0)};w=${window}`,
      'docker-ratelimit-source': limit.source ?? '127.0.0.1',
    })
    const remaining = limit.remaining ?? limit.limit
    if (request.method === 'GET' && remaining <= 0) {
      const response = registryError(
        429,
        'TOOMANYREQUESTS',
        'You have reached your pull rate limit.',
      )
      for (const [k, v] of Object.entries(headers(0))) response.headers.set(k, v)
      if (limit.retryAfter !== undefined)
        response.headers.set('retry-after', String(limit.retryAfter))
      return response
    }
    const response = await answer()
    // Only a manifest actually served by GET is a pull; HEAD and refused requests are free.
    const counted = request.method === 'GET' && response.status === 200
    if (counted) limit.remaining = remaining - 1
    const out = new Response(response.body, response)
    for (const [k, v] of Object.entries(headers(counted ? remaining - 1 : remaining)))
      out.headers.set(k, v)
    return out
  }

  async #getManifest(request: Request, name: string, reference: string): Promise<Response> {
    const response = await this.inner.handle(request)
    const repo = this.schema1.repositories.get(name)
    const digest = reference.includes(':') ? reference : repo?.tags.get(reference)
    const stored = digest ? repo?.manifests.get(digest) : undefined
    if (response.status !== 404 || !stored) return response
    await response.body?.cancel().catch(() => {})
    return new Response(request.method === 'HEAD' ? null : (stored.bytes as BodyInit), {
      headers: {
        'content-type': stored.mediaType,
        'content-length': String(stored.bytes.byteLength),
        'docker-content-digest': digest!,
        'docker-distribution-api-version': 'registry/2.0',
        etag: `"${digest}"`,
      },
    })
  }

  async #putSchema1(request: Request, name: string, reference: string): Promise<Response> {
    const bytes = await readBody(request, MANIFEST_LIMIT)
    if (!bytes) return registryError(413, 'MANIFEST_INVALID', 'manifest too large')
    // The distribution mock decides who may push: ask it to start an upload with the same credentials.
    const probe = await this.inner.handle(
      new Request(new URL(`/v2/${name}/blobs/uploads/`, request.url), {
        method: 'POST',
        headers: request.headers.has('authorization')
          ? { authorization: request.headers.get('authorization')! }
          : {},
      }),
    )
    await probe.body?.cancel().catch(() => {})
    if (probe.status !== 202) return probe
    const location = probe.headers.get('location')
    if (location)
      await this.inner.handle(
        new Request(new URL(location, request.url), {
          method: 'DELETE',
          headers: request.headers.has('authorization')
            ? { authorization: request.headers.get('authorization')! }
            : {},
        }),
      )
    const mediaType = essence(request.headers.get('content-type'))
    const checked = await checkSchema1(bytes, mediaType, name, reference, (d) =>
      this.inner.hasBlob(name, d),
    )
    if (checked instanceof Response) return checked
    let repo = this.schema1.repositories.get(name)
    if (!repo) {
      repo = { manifests: new Map(), tags: new Map() }
      this.schema1.repositories.set(name, repo)
    }
    repo.manifests.set(checked.digest, { bytes, mediaType })
    if (!reference.includes(':')) repo.tags.set(reference, checked.digest)
    return new Response(null, {
      status: 201,
      headers: {
        location: `/v2/${name}/manifests/${checked.digest}`,
        'docker-content-digest': checked.digest,
        'docker-distribution-api-version': 'registry/2.0',
      },
    })
  }

  async #tags(request: Request, name: string): Promise<Response> {
    const response = await this.inner.handle(request)
    const extra = [...(this.schema1.repositories.get(name)?.tags.keys() ?? [])]
    if (!extra.length || (response.status !== 200 && response.status !== 404)) return response
    let tags: string[] = []
    if (response.status === 200) tags = ((await response.json()) as { tags?: string[] }).tags ?? []
    else await response.body?.cancel().catch(() => {})
    const all = [...new Set([...tags, ...extra])].sort()
    return json({ name, tags: all }, 200, { 'docker-distribution-api-version': 'registry/2.0' })
  }
}
