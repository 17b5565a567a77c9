import { scopeFor } from '@wharf/auth'
import { readLimited } from '@wharf/core-http'
import { type FetchRange, rangeHeader } from '@wharf/transfer'
import {
  type BlobInfo,
  type BlobStream,
  blobExists,
  deleteBlob,
  type GetBlobOptions,
  getBlob,
  getBlobRange,
  headBlob,
  verifyBlob,
} from './blobs.js'
import { bytesStream } from './bytes.js'
import type { CallOptions, RegistryClient } from './client.js'
import type { ContentOptions, ContentTarget } from './content.js'
import {
  type DeleteManifestOptions,
  deleteManifest,
  type FetchedManifest,
  type GetManifestOptions,
  type GetManifestsOptions,
  getManifest,
  getManifests,
  headManifest,
  manifestExists,
  type PushedManifest,
  type PutManifestOptions,
  putManifest,
} from './manifests.js'
import { checkDigest, isValidDigest } from './reference.js'
import { type ReferrersOptions, referrers } from './referrers.js'
import { type ListOptions, listTags } from './tags.js'
import {
  DEFAULT_ACCEPT,
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
  type Manifest,
} from './types.js'
import {
  type BlobSource,
  type MountBlobOptions,
  mountBlob,
  type PushBlobOptions,
  type PushedBlob,
  pushBlob,
} from './uploads.js'

/** What the capability modules need from a repository: its client, name and scope builder. */
export interface RepositoryContext {
  client: RegistryClient
  name: string
  /** `repository:<name>:<actions>` */
  scope(...actions: string[]): string
}

/** Manifests kept after push or fetch so tagging and copying need no second GET. */
const CACHE_SIZE = 16

/**
 * One repository of a registry: manifests, blobs, uploads, tags and referrers, and a
 * {@link ContentTarget} so `copy()` can read from or write to it.
 */
export class Repository implements RepositoryContext, ContentTarget {
  readonly client: RegistryClient
  readonly name: string
  readonly #recent = new Map<string, Uint8Array>()

  constructor(client: RegistryClient, name: string) {
    this.client = client
    this.name = name
  }

  /** `repository:<name>:<actions>` */
  scope(...actions: string[]): string {
    return scopeFor(this.name, actions)
  }

  #remember(digest: string, bytes: Uint8Array): void {
    this.#recent.delete(digest)
    this.#recent.set(digest, bytes)
    if (this.#recent.size > CACHE_SIZE) this.#recent.delete(this.#recent.keys().next().value!)
  }

  /** GETs a verified, validated manifest by tag or digest. */
  async getManifest(reference: string, options?: GetManifestOptions): Promise<FetchedManifest> {
    const fetched = await getManifest(this, reference, options)
    this.#remember(fetched.descriptor.digest, fetched.bytes)
    return fetched
  }
  /** HEADs a manifest: its descriptor. */
  headManifest(reference: string, options?: GetManifestOptions): Promise<Descriptor> {
    return headManifest(this, reference, options)
  }
  /** True when the manifest exists. */
  manifestExists(reference: string, options?: GetManifestOptions): Promise<boolean> {
    return manifestExists(this, reference, options)
  }
  /** PUTs a manifest under a tag or digest. */
  async putManifest(
    reference: string,
    manifest: Manifest | Uint8Array,
    mediaType?: string,
    options?: PutManifestOptions,
  ): Promise<PushedManifest> {
    const pushed = await putManifest(this, reference, manifest, mediaType, options)
    if (manifest instanceof Uint8Array) this.#remember(pushed.descriptor.digest, manifest)
    return pushed
  }
  /** DELETEs a manifest by digest (and takes it out of its subject's referrers fallback tag). */
  deleteManifest(digest: string, options?: DeleteManifestOptions): Promise<void> {
    return deleteManifest(this, digest, options)
  }
  /** An index and its child manifests, or a single manifest (the seed's GetManifests). */
  getManifests(
    reference: string,
    options?: GetManifestsOptions,
  ): Promise<{ index?: ImageIndex; manifests: ImageManifest[] }> {
    return getManifests(this, reference, options)
  }
  /** A verified blob stream. */
  getBlob(digest: string, options?: GetBlobOptions): Promise<BlobStream> {
    return getBlob(this, digest, options)
  }
  /** Bytes `[start, end)` of a blob (unverified: join and verify the parts). */
  getBlobRange(digest: string, range: { start: number; end: number }, options?: CallOptions) {
    return getBlobRange(this, digest, range, options)
  }
  /** HEADs a blob. */
  headBlob(digest: string, options?: CallOptions): Promise<BlobInfo> {
    return headBlob(this, digest, options)
  }
  /** True when the blob exists here. */
  blobExists(digest: string, options?: CallOptions): Promise<boolean> {
    return blobExists(this, digest, options)
  }
  /** Throws BlobUnknownError unless the blob exists here. */
  verifyBlob(digest: string, options?: CallOptions): Promise<void> {
    return verifyBlob(this, digest, options)
  }
  /** DELETEs a blob. */
  deleteBlob(digest: string, options?: CallOptions): Promise<void> {
    return deleteBlob(this, digest, options)
  }
  /** Pushes a blob (skipped when it exists; monolithic or chunked). */
  pushBlob(source: BlobSource, options?: PushBlobOptions): Promise<PushedBlob> {
    return pushBlob(this, source, options)
  }
  /** Mounts a blob from another repository, uploading it when the registry will not mount. */
  mountBlob(
    digest: string,
    fromRepository: string,
    options?: MountBlobOptions,
  ): Promise<PushedBlob> {
    return mountBlob(this, digest, fromRepository, options)
  }
  /** The repository's tags, page by page. */
  listTags(options?: ListOptions): AsyncGenerator<string> {
    return listTags(this, options)
  }
  /** Manifests whose subject is `digest` (referrers API or tag-schema fallback). */
  referrers(digest: string, options?: ReferrersOptions): AsyncGenerator<Descriptor> {
    return referrers(this, digest, options)
  }

  // ContentTarget

  /** ContentTarget: a manifest's or blob's verified bytes. */
  async fetch(
    descriptor: Descriptor,
    options: ContentOptions = {},
  ): Promise<ReadableStream<Uint8Array>> {
    if (!DEFAULT_ACCEPT.includes(descriptor.mediaType)) {
      return this.getBlob(descriptor.digest, { ...options, size: descriptor.size })
    }
    const cached = this.#recent.get(descriptor.digest)
    const bytes =
      cached ??
      (await this.getManifest(descriptor.digest, { ...options, accept: [descriptor.mediaType] }))
        .bytes
    return bytesStream(bytes)
  }
  /** ContentTarget: whether the manifest or blob is here. */
  exists(descriptor: Descriptor, options: ContentOptions = {}): Promise<boolean> {
    return DEFAULT_ACCEPT.includes(descriptor.mediaType)
      ? this.manifestExists(descriptor.digest, { ...options, accept: [descriptor.mediaType] })
      : this.blobExists(descriptor.digest, options)
  }
  /** ContentTarget: pushes a manifest by digest or uploads a blob. */
  async push(
    descriptor: Descriptor,
    content: ReadableStream<Uint8Array>,
    options: ContentOptions = {},
  ): Promise<void> {
    if (DEFAULT_ACCEPT.includes(descriptor.mediaType)) {
      const bytes = await readLimited(
        content,
        this.client.limits.manifest,
        `manifest ${descriptor.digest}`,
      )
      await this.putManifest(descriptor.digest, bytes, descriptor.mediaType, options)
      return
    }
    // The registry verifies the digest on the closing PUT; the bytes are not hashed twice.
    await this.pushBlob(content, {
      ...options,
      digest: descriptor.digest,
      size: descriptor.size,
      mediaType: descriptor.mediaType,
      hash: false,
    })
  }
  /** ContentTarget: the descriptor of a tag or digest. */
  resolve(reference: string, options: ContentOptions = {}): Promise<Descriptor> {
    return this.headManifest(reference, options)
  }
  /** ContentTarget: puts the manifest `descriptor` under a tag. */
  async tag(
    descriptor: Descriptor,
    reference: string,
    options: ContentOptions = {},
  ): Promise<void> {
    if (isValidDigest(reference)) return
    const bytes =
      this.#recent.get(descriptor.digest) ??
      (await this.getManifest(descriptor.digest, { ...options, accept: [descriptor.mediaType] }))
        .bytes
    await this.putManifest(reference, bytes, descriptor.mediaType, {
      ...options,
      referrersFallback: false,
    })
  }
  /**
   * ContentTarget: a cross-repository mount when `from` is another repository of the same
   * client; an upload of byte ranges when `from` offers a sized source (an OCI layout file).
   */
  async copyFrom(
    descriptor: Descriptor,
    from: ContentTarget,
    options: ContentOptions = {},
  ): Promise<'mounted' | 'copied' | undefined> {
    const blob = { ...options, size: descriptor.size, mediaType: descriptor.mediaType }
    if (from.source && !(from instanceof Repository)) {
      await this.pushBlob(await from.source(descriptor, options), {
        ...blob,
        digest: descriptor.digest,
      })
      return 'copied'
    }
    if (!(from instanceof Repository) || from.client !== this.client || from.name === this.name) {
      return undefined
    }
    const done = await this.mountBlob(descriptor.digest, from.name, blob)
    return done.method === 'mounted' ? 'mounted' : 'copied'
  }

  /** A transfer `FetchRange` for one blob: ranged GETs for concurrent downloads. */
  fetchRange(digest: string): FetchRange {
    const path = `/v2/${this.name}/blobs/${digest}`
    checkDigest(digest)
    return (range, signal) =>
      this.client.send(path, {
        signal,
        ...(range ? { headers: { range: rangeHeader(range) } } : {}),
        scopes: [this.scope('pull')],
        subject: 'blob',
        throwHttpErrors: (status) => status >= 400 && status < 500 && status !== 416,
      })
  }
}
