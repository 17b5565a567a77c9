import { createHash, randomBytes } from 'node:crypto'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll } from 'vitest'
import {
  createMockRegistry,
  type MockRegistry,
  type MockRegistryOptions,
} from '../../src/mock/index.js'

/** sha256 digest computed independently of the mock (node:crypto). */
export const sha256 = (bytes: Uint8Array | string) =>
  `sha256:${createHash('sha256').update(bytes).digest('hex')}`
/** sha512 digest computed independently of the mock (node:crypto). */
export const sha512 = (bytes: Uint8Array | string) =>
  `sha512:${createHash('sha512').update(bytes).digest('hex')}`

/** Random bytes as a plain Uint8Array. */
export const random = (n: number) => new Uint8Array(randomBytes(n))

/**
 * Reads a response body to the end. (Awaiting `body.cancel()` on a response intercepted by
 * msw 2 never settles, so tests read bodies instead of cancelling them.)
 */
export async function drain(response: Response): Promise<void> {
  await response.arrayBuffer()
}

/** A registry reachable over HTTP, through msw or a real socket. */
export interface Target {
  registry: MockRegistry
  /** Registry origin. */
  base: string
  /** Storage origin. */
  storage: string
  /** fetch relative to the registry origin (absolute URLs pass through). */
  fetch(path: string, init?: RequestInit): Promise<Response>
}

const msw = setupServer()
let mswStarted = false

/** The two ways tests reach a mock: msw handlers and a real server on 127.0.0.1. */
export const TRANSPORTS = ['msw', 'http'] as const
export type Transport = (typeof TRANSPORTS)[number]

/**
 * Sets up a mock registry for the suite (fresh state before every test) reached over the
 * given transport.
 */
export function useRegistry(
  transport: Transport,
  options: MockRegistryOptions = {},
  setup: { resetEach?: boolean; credentials?: { username: string; password: string } } = {},
): Target {
  const registry = createMockRegistry(options)
  const target: Target = {
    registry,
    base: '',
    storage: '',
    fetch: (path, init) =>
      setup.credentials
        ? challengedFetch(new URL(path, target.base), init, setup.credentials)
        : fetch(new URL(path, target.base), init),
  }
  let close: (() => Promise<void>) | undefined
  beforeAll(async () => {
    if (transport === 'msw') {
      if (!mswStarted) msw.listen({ onUnhandledRequest: 'bypass' })
      mswStarted = true
      msw.use(...registry.handlers())
      target.base = options.origin ?? 'http://registry.mock'
      target.storage = options.storageOrigin ?? 'http://storage.mock'
    } else {
      const running = await registry.listen()
      target.base = running.url
      target.storage = running.storageUrl
      close = running.close
    }
  })
  afterEach(() => {
    if (setup.resetEach !== false) registry.reset()
  })
  afterAll(async () => {
    if (transport === 'msw') msw.resetHandlers()
    await close?.()
  })
  return target
}

const encoder = new TextEncoder()

/** Parses `Scheme k="v",k2=v2` (one challenge) into its scheme and parameters. */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const [, scheme = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(header) ?? []
  const params: Record<string, string> = {}
  for (const m of rest.matchAll(/([a-zA-Z_]+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
    params[m[1]!.toLowerCase()] = (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1')
  }
  return { scheme: scheme.toLowerCase(), params }
}

const basic = (c: { username: string; password: string }) =>
  `Basic ${btoa(`${c.username}:${c.password}`)}`

/**
 * What the conformance suite's client does: send anonymously, and on a 401 answer the
 * challenge once (Basic: resend with credentials; Bearer: fetch a token from the realm with
 * Basic credentials and resend with it).
 */
export async function challengedFetch(
  url: URL,
  init: RequestInit = {},
  credentials: { username: string; password: string },
): Promise<Response> {
  const first = await fetch(url, init)
  if (first.status !== 401) return first
  const { scheme, params } = parseChallenge(first.headers.get('www-authenticate') ?? '')
  await drain(first)
  let authorization = basic(credentials)
  if (scheme === 'bearer') {
    const tokenUrl = new URL(params.realm!)
    tokenUrl.searchParams.set('service', params.service ?? '')
    for (const scope of (params.scope ?? '').split(' ').filter(Boolean)) {
      tokenUrl.searchParams.append('scope', scope)
    }
    const token = await fetch(tokenUrl, { headers: { authorization } })
    if (token.status !== 200) throw new Error(`token endpoint gave ${token.status}`)
    const body = (await token.json()) as { token?: string; access_token?: string }
    authorization = `Bearer ${body.access_token ?? body.token}`
  }
  const headers = new Headers(init.headers)
  headers.set('authorization', authorization)
  return fetch(url, { ...init, headers })
}

/** Pushes a blob with POST + PUT and returns its digest. */
export async function pushBlob(t: Target, name: string, content: Uint8Array | string) {
  const bytes = typeof content === 'string' ? encoder.encode(content) : content
  const digest = sha256(bytes)
  const post = await t.fetch(`/v2/${name}/blobs/uploads/`, { method: 'POST' })
  if (post.status !== 202) throw new Error(`POST gave ${post.status}`)
  const location = new URL(post.headers.get('location')!, t.base)
  location.searchParams.set('digest', digest)
  const put = await t.fetch(location.href, {
    method: 'PUT',
    body: bytes as BodyInit,
    headers: { 'content-type': 'application/octet-stream' },
  })
  if (put.status !== 201) throw new Error(`PUT gave ${put.status}: ${await put.text()}`)
  return digest
}

/** An image manifest over a config and layers (all pushed first). */
export async function pushImage(
  t: Target,
  name: string,
  options: { reference?: string; layers?: string[]; extra?: Record<string, unknown> } = {},
) {
  const config = JSON.stringify({ architecture: 'amd64', os: 'linux', seed: Math.random() })
  const configDigest = await pushBlob(t, name, config)
  const layers = []
  for (const layer of options.layers ?? ['layer']) {
    layers.push({
      mediaType: 'application/vnd.oci.image.layer.v1.tar',
      digest: await pushBlob(t, name, layer),
      size: encoder.encode(layer).byteLength,
    })
  }
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: configDigest,
      size: encoder.encode(config).byteLength,
    },
    layers,
    ...options.extra,
  })
  const digest = sha256(manifest)
  const put = await t.fetch(`/v2/${name}/manifests/${options.reference ?? digest}`, {
    method: 'PUT',
    body: manifest,
    headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
  })
  if (put.status !== 201) throw new Error(`manifest PUT gave ${put.status}: ${await put.text()}`)
  return { digest, manifest, size: encoder.encode(manifest).byteLength, put }
}

/** The first error code of an OCI error body. */
export async function errorCode(response: Response): Promise<string | undefined> {
  const body = (await response.json()) as { errors?: Array<{ code: string }> }
  return body.errors?.[0]?.code
}
