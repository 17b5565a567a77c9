import { mswHandlers } from '@wharf/core-http/mock'
import {
  createMockRegistry,
  type MockRegistry,
  type MockRegistryOptions,
} from '@wharf/distribution/mock'
import type { RequestHandler } from 'msw'
import { DockerV2, type MockRateLimit } from './docker-v2.js'
import { sha256Hex } from './http.js'
import {
  emptyState,
  type MockRepository,
  type MockState,
  type MockUser,
  repository,
} from './state.js'
import { handleV1 } from './v1.js'

export type { MockRateLimit } from './docker-v2.js'
export type { MockRepository, MockState, MockUser, MockV1Image } from './state.js'

/** Options of {@link createMockDockerRegistry}: the distribution mock's, plus Docker's. */
export interface MockDockerRegistryOptions extends MockRegistryOptions {
  /** Accounts of the V1 index, V1 login and search (name → password or details). */
  users?: Record<string, string | MockUser>
  /** The V1 registry does its own (Basic) auth: `X-Docker-Registry-Standalone: true`. Default false. */
  standalone?: boolean
  /** `X-Docker-Registry-Version` (default `0.6.0`). */
  v1Version?: string
  /** Hosts the index names in `X-Docker-Endpoints` (default: the host the request went to). */
  endpoints?: string[]
  /**
   * Pose as Docker Hub: token auth with `service=registry.docker.io` (anonymous pull tokens
   * unless `auth` is given), deletes by digest only and never of a tagged manifest (403), and,
   * with `rateLimit`, Hub's pull rate limit.
   */
  hub?: boolean
  /** Hub's pull rate limit on manifest GET/HEAD. */
  rateLimit?: MockRateLimit
  /** Largest V1 layer accepted (default 64 MiB). */
  layerLimit?: number
}

/** Faults of the V1 side. */
export interface MockV1Faults {
  /** Cut the next `count` layer downloads after `bytes` bytes. */
  cutLayer?: { bytes: number; count: number }
}

/** A request seen by the Docker mock (credentials redacted). */
export interface DockerLoggedRequest {
  method: string
  url: string
  headers: Record<string, string>
}

/** The mock: Docker's V2 dialect over the distribution mock, a V1 registry + index, Hub search. */
export interface MockDockerRegistry {
  /** The fetch handler: `/v1/…` to the V1 side, everything else through Docker's V2 layer. */
  handle(request: Request): Promise<Response>
  /** msw handlers for the origin and the distribution mock's storage origin. */
  handlers(): RequestHandler[]
  /** Serves the mock on 127.0.0.1 (redirected blob GETs are an msw-only fault here). */
  listen(options?: {
    port?: number
    host?: string
  }): Promise<{ url: string; close(): Promise<void> }>
  /** The distribution mock underneath (V2 storage, faults, its own request log). */
  readonly distribution: MockRegistry
  /** V1 images, repositories (with search metadata), users and tokens. */
  readonly state: MockState
  /** V1 faults; mutable. */
  readonly v1Faults: MockV1Faults
  /** Hub's rate limit; mutable (`remaining` counts down). */
  readonly rateLimit: MockRateLimit | undefined
  /** Every request the mock saw, oldest first. */
  readonly requests: DockerLoggedRequest[]
  /** Adds a complete V1 image (JSON, layer and its `sha256:` payload checksum). */
  addImage(image: {
    id: string
    parent?: string
    json?: Record<string, unknown>
    layer?: Uint8Array
  }): Promise<void>
  /** Adds or updates a repository: V1 tags and search metadata. */
  addRepository(
    name: string,
    details?: Partial<Omit<MockRepository, 'name' | 'tags'>> & { tags?: Record<string, string> },
  ): MockRepository
  /** Schema 1 manifests stored by PUT: repository → tag → digest. */
  schema1Tags(repository: string): Record<string, string>
  /** Empties everything (V1, V2, logs, faults); users stay. */
  reset(): void
}

const SECRET = new Set(['authorization', 'proxy-authorization', 'cookie'])

/** Creates the Docker registry mock; usable as msw handlers and as a real HTTP server. */
export function createMockDockerRegistry(
  options: MockDockerRegistryOptions = {},
): MockDockerRegistry {
  const {
    users,
    standalone = false,
    v1Version = '0.6.0',
    endpoints,
    hub,
    rateLimit,
    layerLimit,
    ...rest
  } = options
  const distribution = createMockRegistry({
    ...rest,
    ...(hub && !rest.auth ? { auth: { type: 'token', service: 'registry.docker.io' } } : {}),
    ...(hub && rest.auth?.type === 'token' && !rest.auth.service
      ? { auth: { ...rest.auth, service: 'registry.docker.io' } }
      : {}),
  })
  const docker = new DockerV2(distribution, {
    ...(rateLimit ? { rateLimit } : {}),
    ...(hub ? { hub } : {}),
  })
  let state = emptyState(users)
  const v1Faults: MockV1Faults = {}
  const requests: DockerLoggedRequest[] = []
  const v1Options = {
    standalone,
    version: v1Version,
    ...(endpoints ? { endpoints } : {}),
    ...(layerLimit ? { layerLimit } : {}),
    faults: v1Faults,
  }

  const handle = async (request: Request): Promise<Response> => {
    const url = new URL(request.url)
    const headers: Record<string, string> = {}
    for (const [k, v] of request.headers)
      headers[k] = SECRET.has(k) ? `${v.split(' ')[0]} [redacted]` : v
    requests.push({ method: request.method, url: request.url, headers })
    if (requests.length > 10_000) requests.shift()
    if (url.pathname.startsWith('/v1/')) {
      try {
        return await handleV1(state, request, v1Options)
      } catch (error) {
        return Response.json({ error: `mock error: ${(error as Error).message}` }, { status: 500 })
      }
    }
    return docker.handle(request)
  }

  const origin = new URL(rest.origin ?? 'http://registry.mock').origin
  const storageOrigin = new URL(rest.storageOrigin ?? 'http://storage.mock').origin

  return {
    handle,
    handlers: () => mswHandlers(handle, origin, storageOrigin),
    async listen(listenOptions = {}) {
      const { serve } = await import('@wharf/core-http/node')
      const server = await serve(handle, listenOptions)
      return { url: server.url, close: () => server.close() }
    },
    distribution,
    get state() {
      return state
    },
    v1Faults,
    get rateLimit() {
      return docker.rateLimit
    },
    requests,
    async addImage(image) {
      const json = new TextEncoder().encode(
        JSON.stringify({
          ...image.json,
          id: image.id,
          ...(image.parent ? { parent: image.parent } : {}),
        }),
      )
      const layer = image.layer ?? new Uint8Array(0)
      const payload = new Uint8Array(json.byteLength + 1 + layer.byteLength)
      payload.set(json)
      payload[json.byteLength] = 0x0a
      payload.set(layer, json.byteLength + 1)
      state.images.set(image.id, {
        id: image.id,
        json,
        ...(image.parent ? { parent: image.parent } : {}),
        layer,
        checksum: `sha256:${await sha256Hex(payload)}`,
        complete: true,
      })
    },
    addRepository(name, details = {}) {
      const repo = repository(state, name)
      const { tags, ...meta } = details
      Object.assign(repo, meta)
      for (const [tag, id] of Object.entries(tags ?? {})) repo.tags.set(tag, id)
      if (tags && !details.images) {
        repo.images = [...new Set(Object.values(tags))].map((id) => ({
          id,
          ...(state.images.get(id)?.checksum ? { checksum: state.images.get(id)!.checksum! } : {}),
        }))
      }
      return repo
    },
    schema1Tags: (name) => Object.fromEntries(docker.schema1.repositories.get(name)?.tags ?? []),
    reset() {
      distribution.reset()
      docker.schema1.repositories.clear()
      state = emptyState(Object.fromEntries(state.users))
      requests.length = 0
      delete v1Faults.cutLayer
    },
  }
}
