import { BodyTooLargeError, ParseError } from '@wharf/core-http'
import { DigestMismatchError, digestOf, parseDigest } from '@wharf/transfer'
import { contentLength } from './bytes.js'
import type { CallOptions } from './client.js'
import {
  InvalidIndexError,
  ManifestUnknownError,
  SchemaValidationError,
  UnknownMediaTypeError,
} from './errors.js'
import { type PlatformSpec, selectPlatform } from './platform.js'
import { mapLimit } from './pool.js'
import { checkDigest, checkManifestReference, checkTag, isValidDigest } from './reference.js'
import { pushReferrerToFallback, removeReferrerFromFallback } from './referrers.js'
import type { RepositoryContext } from './repository.js'
import {
  DEFAULT_ACCEPT,
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
  isIndexType,
  type Manifest,
  MediaType,
} from './types.js'
import { parseManifest, validateIndex, validateManifest } from './validate.js'

/** Options of getManifest / headManifest. */
export interface GetManifestOptions extends CallOptions {
  /** Media types to ask for (default: OCI index and manifest, Docker list and schema2). */
  accept?: readonly string[]
}

/** A fetched manifest: its descriptor, parsed content and exact bytes. */
export interface FetchedManifest<T extends Manifest = Manifest> {
  descriptor: Descriptor
  manifest: T
  bytes: Uint8Array
}

/** Checks `bytes` against `digest`; throws DigestMismatchError (or InvalidDigestError for an unknown algorithm). */
export function verifyBytes(bytes: Uint8Array, digest: string): void {
  const expected = parseDigest(digest)
  const actual = digestOf(bytes, expected.algorithm)
  if (!expected.equals(actual)) throw new DigestMismatchError(expected, actual, bytes.byteLength)
}

function acceptHeader(accept?: readonly string[]): string {
  return (accept ?? DEFAULT_ACCEPT).join(', ')
}

/**
 * GETs a manifest by tag or digest with media-type negotiation; verifies it against the
 * requested digest (or `Docker-Content-Digest` for a tag), refuses bodies over the size cap
 * and validates the schema.
 */
export async function getManifest(
  repo: RepositoryContext,
  reference: string,
  options: GetManifestOptions = {},
): Promise<FetchedManifest> {
  checkManifestReference(reference)
  const limit = repo.client.limits.manifest
  const response = await repo.client.send(`/v2/${repo.name}/manifests/${reference}`, {
    headers: { accept: acceptHeader(options.accept) },
    scopes: [repo.scope('pull')],
    subject: 'manifest',
    bodyLimit: limit,
    ...(options.signal ? { signal: options.signal } : {}),
  })
  const bytes = await response.bytes({ limit })
  const header = response.headers.get('docker-content-digest')
  const digest = isValidDigest(reference) ? reference : (header ?? digestOf(bytes).toString())
  verifyBytes(bytes, digest)
  if (header && header !== digest) verifyBytes(bytes, header)
  const { mediaType, manifest } = parseManifest(bytes, response.headers.get('content-type'))
  return { descriptor: { mediaType, digest, size: bytes.byteLength }, manifest, bytes }
}

/** HEADs a manifest: its descriptor (falls back to a GET when the registry sends no digest). */
export async function headManifest(
  repo: RepositoryContext,
  reference: string,
  options: GetManifestOptions = {},
): Promise<Descriptor> {
  checkManifestReference(reference)
  const response = await repo.client.send(`/v2/${repo.name}/manifests/${reference}`, {
    method: 'HEAD',
    headers: { accept: acceptHeader(options.accept) },
    scopes: [repo.scope('pull')],
    subject: 'manifest',
    ...(options.signal ? { signal: options.signal } : {}),
  })
  const header = response.headers.get('docker-content-digest')
  const size = contentLength(response.headers)
  const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim()
  const digest = isValidDigest(reference) ? reference : header
  if (!digest || !isValidDigest(digest) || size === undefined || !mediaType) {
    return (await getManifest(repo, reference, options)).descriptor
  }
  return { mediaType, digest, size }
}

/** True when the manifest exists; false on 404 (the seed's `ManifestExists`). */
export async function manifestExists(
  repo: RepositoryContext,
  reference: string,
  options: GetManifestOptions = {},
): Promise<boolean> {
  try {
    await headManifest(repo, reference, options)
    return true
  } catch (error) {
    if (error instanceof ManifestUnknownError) return false
    throw error
  }
}

/** Options of putManifest. */
export interface PutManifestOptions extends CallOptions {
  /** Maintain the `sha256-<hex>` referrers tag when the registry lacks the referrers API (default true). */
  referrersFallback?: boolean
  /**
   * More tags for the same manifest, sent as `?tag=` parameters of one PUT; tags the registry
   * does not confirm in `OCI-Tag` are put one request each.
   */
  tags?: string[]
}

/** What a manifest push produced. */
export interface PushedManifest {
  descriptor: Descriptor
  /** The tags the manifest was put under (the reference when it is a tag, then `tags`). */
  tags: string[]
  /** The `OCI-Subject` header: the registry indexed the manifest's subject. */
  subject?: string
}

/** Serializes a manifest object (exact bytes are kept when given bytes). */
export function manifestBytes(manifest: Manifest | Uint8Array): Uint8Array {
  return manifest instanceof Uint8Array
    ? manifest
    : new TextEncoder().encode(JSON.stringify(manifest))
}

/**
 * PUTs a manifest or index under a tag or its digest. Validates it first, checks the
 * registry's `Docker-Content-Digest`, and keeps the referrers fallback tag when the manifest
 * has a `subject` and the registry does not answer `OCI-Subject`.
 */
export async function putManifest(
  repo: RepositoryContext,
  reference: string,
  manifest: Manifest | Uint8Array,
  mediaType?: string,
  options: PutManifestOptions = {},
): Promise<PushedManifest> {
  checkManifestReference(reference)
  const bytes = manifestBytes(manifest)
  const limit = repo.client.limits.manifest
  if (bytes.byteLength > limit)
    throw new BodyTooLargeError(`manifest for ${repo.name}:${reference}`, limit)
  const parsed = manifest instanceof Uint8Array ? parseManifest(bytes, mediaType) : undefined
  const type = mediaType ?? parsed?.mediaType ?? defaultMediaType(manifest as Manifest)
  const value = parsed?.manifest ?? (manifest as Manifest)
  if (isIndexType(type)) validateIndex(value, type)
  else validateManifest(value, type)
  const digest = isValidDigest(reference) ? reference : digestOf(bytes).toString()
  verifyBytes(bytes, digest)
  const extra = [...new Set(options.tags ?? [])].filter((t) => t !== reference)
  for (const tag of extra) checkTag(tag)
  const response = await repo.client.send(`/v2/${repo.name}/manifests/${reference}`, {
    method: 'PUT',
    headers: { 'content-type': type },
    body: bytes,
    ...(extra.length ? { searchParams: new URLSearchParams(extra.map((t) => ['tag', t])) } : {}),
    scopes: [repo.scope('pull', 'push')],
    subject: 'manifest',
    ...(options.signal ? { signal: options.signal } : {}),
  })
  await response.discard()
  const answered = response.headers.get('docker-content-digest')
  if (
    answered &&
    parseDigest(answered).algorithm === parseDigest(digest).algorithm &&
    answered !== digest
  ) {
    throw new DigestMismatchError(parseDigest(digest), parseDigest(answered), bytes.byteLength)
  }
  const descriptor: Descriptor = { mediaType: type, digest, size: bytes.byteLength }
  // A registry that ignores `?tag=` (all before distribution-spec main) confirms none of them.
  const confirmed = new Set((response.headers.get('oci-tag') ?? '').split(',').map((t) => t.trim()))
  for (const tag of extra.filter((t) => !confirmed.has(t))) {
    await putManifest(repo, tag, bytes, type, { ...options, tags: [], referrersFallback: false })
  }
  const subject = response.headers.get('oci-subject') ?? undefined
  if (value.subject && !subject && options.referrersFallback !== false) {
    await pushReferrerToFallback(repo, value, descriptor, options)
  }
  const tags = [...(isValidDigest(reference) ? [] : [reference]), ...extra]
  return { descriptor, tags, ...(subject ? { subject } : {}) }
}

function defaultMediaType(manifest: Manifest): string {
  if (manifest.mediaType) return manifest.mediaType
  return 'manifests' in manifest ? MediaType.ImageIndex : MediaType.ImageManifest
}

/** Options of deleteManifest. */
export interface DeleteManifestOptions extends CallOptions {
  /**
   * Take the manifest out of its subject's `sha256-<hex>` referrers tag, as registries without
   * the referrers API need (default true; costs a GET of the manifest first).
   */
  referrersFallback?: boolean
}

/** The subject a stored manifest points at, when it has one and can be read. */
async function subjectOf(
  repo: RepositoryContext,
  digest: string,
  options: CallOptions,
): Promise<string | undefined> {
  try {
    return (await getManifest(repo, digest, options)).manifest.subject?.digest
  } catch (error) {
    // Missing (the DELETE reports it) or not a manifest Wharf can read: no subject to clean.
    const unreadable =
      error instanceof ManifestUnknownError ||
      error instanceof SchemaValidationError ||
      error instanceof UnknownMediaTypeError ||
      error instanceof ParseError
    if (unreadable) return undefined
    throw error
  }
}

/**
 * DELETEs a manifest by digest (registries delete by digest; tags go with it). A manifest
 * with a `subject` also leaves its subject's referrers fallback tag.
 */
export async function deleteManifest(
  repo: RepositoryContext,
  digest: string,
  options: DeleteManifestOptions = {},
): Promise<void> {
  checkDigest(digest)
  const subject =
    options.referrersFallback === false ? undefined : await subjectOf(repo, digest, options)
  const response = await repo.client.send(`/v2/${repo.name}/manifests/${digest}`, {
    method: 'DELETE',
    scopes: [repo.scope('delete')],
    subject: 'manifest',
    ...(options.signal ? { signal: options.signal } : {}),
  })
  await response.discard()
  if (subject) await removeReferrerFromFallback(repo, subject, digest, options)
}

/** Options of getManifests. */
export interface GetManifestsOptions extends GetManifestOptions {
  /** Keep only the index entries for this platform (os/architecture/variant). */
  platform?: PlatformSpec
  /** Child manifests fetched at once (default 8). */
  concurrency?: number
}

/**
 * The seed's `GetManifests`: an index gives the index and every child manifest (fetched
 * concurrently, optionally only the matching platform); a manifest gives just itself.
 */
export async function getManifests(
  repo: RepositoryContext,
  reference: string,
  options: GetManifestsOptions = {},
): Promise<{ index?: ImageIndex; manifests: ImageManifest[] }> {
  const root = await getManifest(repo, reference, options)
  if (!('manifests' in root.manifest)) return { manifests: [root.manifest] }
  const index = root.manifest
  const wanted = options.platform
    ? [selectPlatform(index, options.platform)]
    : index.manifests.filter((d) => !isIndexType(d.mediaType))
  const manifests = await mapLimit(wanted, options.concurrency ?? 8, async (d) => {
    const child = await getManifest(repo, d.digest, options)
    if ('manifests' in child.manifest) {
      throw new InvalidIndexError([
        { path: 'manifests', message: `${d.digest} is an index, not an image manifest` },
      ])
    }
    return child.manifest
  })
  return { index, manifests }
}
