import { type RegistryCredentials, registryTokenAuth } from '@wharf/auth'
import type { FetchLike } from '@wharf/core-http'
import {
  type BlobSource,
  checkTag,
  createRegistryClient,
  type Descriptor,
  isValidDigest,
  type Manifest,
  type PushBlobOptions,
  type PushedBlob,
  parseManifest,
  type RegistryClient,
  type Repository,
} from '@wharf/distribution'
import { DigestMismatchError, digestOf, parseDigest } from '@wharf/transfer'
import { type AuthConfig, credentialsOf } from './auth-config.js'
import type { RegistryInfo } from './endpoint.js'
import {
  DOCKER_ACCEPT,
  isSchema1Type,
  type ParsedSchema1,
  parseSchema1,
  type Schema1Manifest,
} from './manifests.js'
import { parseRateLimit, type RateLimit } from './ratelimit.js'
import { V1Session } from './v1.js'

/** A manifest fetched over V2: schema 2, manifest list, OCI, or legacy schema 1. */
export interface V2Manifest {
  /** Media type, digest (a signed schema 1's is over its JWS payload) and size. */
  descriptor: Descriptor
  /** The parsed manifest. */
  manifest: Manifest | Schema1Manifest
  /** The exact bytes served. */
  bytes: Uint8Array
  /** For schema 1: layers base first with their V1 JSON, payload and signature state. */
  schema1?: ParsedSchema1
  /** Hub's rate limit as the response stated it. */
  rateLimit?: RateLimit
}

/** Options of {@link V2Session.getV2ImageManifest}. */
export interface GetV2ManifestOptions {
  /** Media types to accept (default {@link DOCKER_ACCEPT}; add the schema 1 types to get old images). */
  accept?: readonly string[]
  signal?: AbortSignal
}

function v2Credentials(config: AuthConfig): RegistryCredentials | undefined {
  if (config.registryToken) return { registryToken: config.registryToken }
  if (config.identityToken) return { identityToken: config.identityToken }
  return credentialsOf(config)
}

function checkReference(reference: string): void {
  if (!isValidDigest(reference)) checkTag(reference)
}

/** Throws DigestMismatchError unless `content` hashes to `expected` (with `expected`'s algorithm). */
function verify(content: Uint8Array, expected: string): void {
  const want = parseDigest(expected)
  const got = digestOf(content, want.algorithm)
  if (!want.equals(got)) throw new DigestMismatchError(want, got, content.byteLength)
}

/**
 * The V2 calls of a session, made through a @wharf/distribution client with @wharf/auth's
 * registry token flow; Docker's additions (schema 1, rate limits) are handled here.
 */
export class V2Session extends V1Session {
  #client: RegistryClient | undefined
  #rateLimit: RateLimit | undefined

  /** Hub's rate limit as the last manifest response stated it. */
  get rateLimit(): RateLimit | undefined {
    return this.#rateLimit
  }

  /** The distribution client for the endpoint (created on first use). */
  registryClient(): RegistryClient {
    if (this.#client) return this.#client
    const base: FetchLike = this.options.fetch ?? ((input, init) => globalThis.fetch(input, init))
    const recording: FetchLike = async (input, init) => {
      const response = await base(input, init)
      const url = input instanceof Request ? input.url : String(input)
      if (/\/v2\/.+\/manifests\//.test(new URL(url).pathname))
        this.#rateLimit = parseRateLimit(response.headers)
      return response
    }
    const credentials = v2Credentials(this.authConfig)
    this.#client = createRegistryClient({
      registry: this.endpoint.url.origin,
      auth: registryTokenAuth({
        ...(credentials ? { credentials } : {}),
        ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
        ...(this.options.allowInsecure ? { allowInsecureRegistry: true } : {}),
        clientId: 'docker',
      }),
      fetch: recording,
      ...(this.options.retry === undefined ? {} : { retry: this.options.retry }),
      ...(this.options.timeout === undefined ? {} : { timeout: this.options.timeout }),
      ...(this.options.idleTimeout === undefined ? {} : { idleTimeout: this.options.idleTimeout }),
      ...(this.options.signal ? { signal: this.options.signal } : {}),
      ...(this.options.debug ? { debug: this.options.debug } : {}),
    })
    return this.#client
  }

  /** A repository of the endpoint's registry (name checked by distribution's grammar). */
  repository(name: string): Repository {
    return this.registryClient().repository(name)
  }

  /** `GET /v2/` with credentials: the API version the registry reports. */
  async getV2Version(options: { signal?: AbortSignal } = {}): Promise<RegistryInfo> {
    const ping = await this.registryClient().ping(options)
    const headers = new Headers()
    if (ping.apiVersion) headers.set('docker-distribution-api-version', ping.apiVersion)
    if (ping.challenge) headers.set('www-authenticate', ping.challenge)
    return {
      version: 2,
      standalone: true,
      status: ping.status,
      headers,
      ...(ping.apiVersion ? { apiVersionHeader: ping.apiVersion } : {}),
    }
  }

  /** Every tag of a repository (pages followed, bounded by the client's page limit). */
  async getV2RemoteTags(
    imageName: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<string[]> {
    const tags: string[] = []
    for await (const tag of this.repository(imageName).listTags(options)) tags.push(tag)
    return tags
  }

  /**
   * GETs a manifest by tag or digest and verifies it: against the digest asked for, else the
   * `Docker-Content-Digest` header. Schema 1 manifests are digested over their JWS payload.
   */
  async getV2ImageManifest(
    imageName: string,
    reference: string,
    options: GetV2ManifestOptions = {},
  ): Promise<V2Manifest> {
    const repo = this.repository(imageName)
    checkReference(reference)
    const client = this.registryClient()
    const limit = client.limits.manifest
    const response = await client.send(`/v2/${repo.name}/manifests/${reference}`, {
      headers: { accept: (options.accept ?? DOCKER_ACCEPT).join(', ') },
      scopes: [repo.scope('pull')],
      subject: 'manifest',
      bodyLimit: limit,
      ...(options.signal ? { signal: options.signal } : {}),
    })
    const bytes = await response.bytes({ limit })
    const contentType = response.headers.get('content-type')
    const expected = isValidDigest(reference)
      ? reference
      : response.headers.get('docker-content-digest')
    const rateLimit = parseRateLimit(response.headers)
    const extra = rateLimit ? { rateLimit } : {}
    if (isSchema1Type(contentType)) {
      const schema1 = parseSchema1(bytes, contentType)
      if (expected) verify(schema1.payload, expected)
      const descriptor = {
        mediaType: schema1.mediaType,
        digest: schema1.digest.toString(),
        size: schema1.payload.byteLength,
      }
      return { descriptor, manifest: schema1.manifest, bytes, schema1, ...extra }
    }
    const { mediaType, manifest } = parseManifest(bytes, contentType)
    if (expected) verify(bytes, expected)
    const digest = expected ?? digestOf(bytes).toString()
    return { descriptor: { mediaType, digest, size: bytes.byteLength }, manifest, bytes, ...extra }
  }

  /**
   * PUTs a manifest under a tag or digest. Schema 2, lists and OCI go through distribution's
   * `putManifest`; schema 1 bodies (by `mediaType` or content) are checked and their payload
   * digest compared with the registry's answer.
   */
  async putV2ImageManifest(
    imageName: string,
    reference: string,
    manifest: Manifest | Uint8Array,
    options: { mediaType?: string; signal?: AbortSignal } = {},
  ): Promise<Descriptor> {
    const repo = this.repository(imageName)
    checkReference(reference)
    const schema1 =
      manifest instanceof Uint8Array &&
      (isSchema1Type(options.mediaType) ||
        (!options.mediaType &&
          /"schemaVersion"\s*:\s*1\b/.test(new TextDecoder().decode(manifest.subarray(0, 4096)))))
        ? parseSchema1(manifest, options.mediaType)
        : undefined
    if (!schema1) {
      const call = options.signal ? { signal: options.signal } : {}
      return (await repo.putManifest(reference, manifest, options.mediaType, call)).descriptor
    }
    if (isValidDigest(reference)) verify(schema1.payload, reference)
    const response = await this.registryClient().send(`/v2/${repo.name}/manifests/${reference}`, {
      method: 'PUT',
      headers: { 'content-type': schema1.mediaType },
      body: manifest as Uint8Array,
      scopes: [repo.scope('pull', 'push')],
      subject: 'manifest',
      ...(options.signal ? { signal: options.signal } : {}),
    })
    await response.discard()
    const answered = response.headers.get('docker-content-digest')
    if (answered && !schema1.digest.equals(answered)) {
      throw new DigestMismatchError(
        schema1.digest,
        parseDigest(answered),
        schema1.payload.byteLength,
      )
    }
    return {
      mediaType: schema1.mediaType,
      digest: schema1.digest.toString(),
      size: schema1.payload.byteLength,
    }
  }

  /** A verified blob stream (fails on a digest or size mismatch) and its size when known. */
  async getV2ImageBlobReader(
    imageName: string,
    digest: string,
    options: { size?: number; signal?: AbortSignal } = {},
  ): Promise<{ stream: ReadableStream<Uint8Array>; size?: number }> {
    const stream = await this.repository(imageName).getBlob(digest, options)
    return { stream, ...(stream.size === undefined ? {} : { size: stream.size }) }
  }

  /** Writes a verified blob into `writable`; rejects (and aborts the writable) on a mismatch. */
  async getV2ImageBlob(
    imageName: string,
    digest: string,
    writable: WritableStream<Uint8Array>,
    options: { size?: number; signal?: AbortSignal } = {},
  ): Promise<void> {
    const { stream } = await this.getV2ImageBlobReader(imageName, digest, options)
    await stream.pipeTo(writable, options.signal ? { signal: options.signal } : {})
  }

  /** Pushes a blob (skipped when it exists; monolithic or chunked) and returns what the registry holds. */
  putV2ImageBlob(
    imageName: string,
    source: BlobSource,
    options: PushBlobOptions = {},
  ): Promise<PushedBlob> {
    return this.repository(imageName).pushBlob(source, options)
  }

  /**
   * With `from`, mounts the blob from that repository and answers whether the registry
   * mounted it (false: it was copied instead). Without, answers whether the blob is already
   * in the repository (false: push it).
   */
  async postV2ImageMountBlob(
    imageName: string,
    digest: string,
    options: { from?: string; signal?: AbortSignal } = {},
  ): Promise<boolean> {
    const repo = this.repository(imageName)
    const call = options.signal ? { signal: options.signal } : {}
    if (!options.from) return repo.blobExists(digest, call)
    return (await repo.mountBlob(digest, options.from, call)).method === 'mounted'
  }

  /** Releases the V1 clients and the distribution client. */
  override async close(): Promise<void> {
    await super.close()
    await this.#client?.close()
    this.#client = undefined
  }
}
