import { createHash } from 'node:crypto'
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
export function useRegistry(transport: Transport, options: MockRegistryOptions = {}): Target {
  const registry = createMockRegistry(options)
  const target: Target = {
    registry,
    base: '',
    storage: '',
    fetch: (path, init) => fetch(new URL(path, target.base), init),
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
  afterEach(() => registry.reset())
  afterAll(async () => {
    if (transport === 'msw') msw.resetHandlers()
    await close?.()
  })
  return target
}

const encoder = new TextEncoder()

/** Pushes a blob with POST + PUT and returns its digest. */
export async function pushBlob(t: Target, name: string, content: Uint8Array | string) {
  const bytes = typeof content === 'string' ? encoder.encode(content) : content
  const digest = sha256(bytes)
  const post = await t.fetch(`/v2/${name}/blobs/uploads/`, { method: 'POST' })
  if (post.status !== 202) throw new Error(`POST gave ${post.status}`)
  const location = new URL(post.headers.get('location')!, t.base)
  location.searchParams.set('digest', digest)
  const put = await fetch(location, {
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
