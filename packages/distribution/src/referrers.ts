import { isHttpError } from '@wharf/core-http'
import { parseDigest } from '@wharf/transfer'
import type { CallOptions } from './client.js'
import { InvalidIndexError, ManifestUnknownError } from './errors.js'
import { listPages } from './listing.js'
import { deleteManifest, getManifest, putManifest } from './manifests.js'
import { checkDigest } from './reference.js'
import type { RepositoryContext } from './repository.js'
import { type Descriptor, type ImageIndex, type Manifest, MediaType } from './types.js'
import { validateIndex } from './validate.js'

/** Options of referrers(). */
export interface ReferrersOptions extends CallOptions {
  /** Only referrers of this artifact type (filtered locally when the registry does not). */
  artifactType?: string
}

/** The referrers tag schema's tag for a subject digest: `<alg>-<first 64 of encoded>`. */
export function referrersTag(digest: string): string {
  checkDigest(digest)
  const [algorithm, encoded] = digest.split(':') as [string, string]
  return `${algorithm}-${encoded.slice(0, 64)}`
}

function emptyIndex(): ImageIndex {
  return { schemaVersion: 2, mediaType: MediaType.ImageIndex, manifests: [] }
}

/** The fallback tag's index and its digest; an empty index (no digest) when the tag does not exist. */
async function fallbackIndex(
  repo: RepositoryContext,
  subject: string,
  options: CallOptions,
): Promise<{ index: ImageIndex; digest?: string }> {
  try {
    const { descriptor, manifest } = await getManifest(repo, referrersTag(subject), {
      ...options,
      accept: [MediaType.ImageIndex],
    })
    if (descriptor.mediaType !== MediaType.ImageIndex || !('manifests' in manifest)) {
      throw new InvalidIndexError([
        {
          path: 'mediaType',
          message: `referrers tag holds ${descriptor.mediaType}, not an OCI index`,
        },
      ])
    }
    return { index: manifest, digest: descriptor.digest }
  } catch (error) {
    if (error instanceof ManifestUnknownError) return { index: emptyIndex() }
    throw error
  }
}

/**
 * Lists the manifests whose `subject` is `digest`: the referrers API, paginated, or — when
 * the registry answers 404 for it — the `sha256-<hex>` tag schema fallback.
 */
export async function* referrers(
  repo: RepositoryContext,
  digest: string,
  options: ReferrersOptions = {},
): AsyncGenerator<Descriptor> {
  checkDigest(digest)
  const wanted = options.artifactType
  const keep = (d: Descriptor) => wanted === undefined || d.artifactType === wanted
  const pages = listPages(repo.client, `/v2/${repo.name}/referrers/${digest}`, {
    searchParams: { artifactType: wanted },
    headers: { accept: MediaType.ImageIndex },
    scopes: [repo.scope('pull')],
    ...(options.signal ? { signal: options.signal } : {}),
  })
  let first = true
  try {
    for await (const page of pages) {
      first = false
      const index = validateIndex(page.body, MediaType.ImageIndex)
      const filtered = (page.headers.get('oci-filters-applied') ?? '')
        .split(',')
        .map((s) => s.trim())
        .includes('artifactType')
      for (const d of index.manifests) if (filtered || keep(d)) yield d
    }
    return
  } catch (error) {
    if (!(first && isHttpError(error, 404))) throw error
  }
  let index: ImageIndex
  try {
    ;({ index } = await fallbackIndex(repo, digest, options))
  } catch (error) {
    if (error instanceof InvalidIndexError) return
    throw error
  }
  for (const d of index.manifests) if (keep(d)) yield d
}

/**
 * Adds a pushed manifest to its subject's fallback tag index (for registries without the
 * referrers API): no duplicates, `artifactType` from the manifest or its config, annotations copied.
 */
export async function pushReferrerToFallback(
  repo: RepositoryContext,
  manifest: Manifest,
  descriptor: Descriptor,
  options: CallOptions,
): Promise<void> {
  const subject = manifest.subject!.digest
  parseDigest(subject)
  const { index } = await fallbackIndex(repo, subject, options)
  if (index.manifests.some((d) => d.digest === descriptor.digest)) return
  const artifactType =
    manifest.artifactType || ('config' in manifest ? manifest.config.mediaType : undefined)
  index.manifests.push({
    mediaType: descriptor.mediaType,
    digest: descriptor.digest,
    size: descriptor.size,
    ...(artifactType ? { artifactType } : {}),
    ...(manifest.annotations ? { annotations: manifest.annotations } : {}),
  })
  await putManifest(repo, referrersTag(subject), index, MediaType.ImageIndex, {
    ...options,
    referrersFallback: false,
  })
}

/**
 * Takes a deleted manifest out of its subject's fallback tag index: the index is pushed back
 * without it, or deleted when it was the last entry. Nothing happens when the tag does not
 * exist (registries with the referrers API keep their own list).
 */
export async function removeReferrerFromFallback(
  repo: RepositoryContext,
  subject: string,
  digest: string,
  options: CallOptions,
): Promise<void> {
  const found = await fallbackIndex(repo, subject, options)
  const manifests = found.index.manifests.filter((d) => d.digest !== digest)
  if (!found.digest || manifests.length === found.index.manifests.length) return
  if (manifests.length === 0) {
    await deleteManifest(repo, found.digest, { ...options, referrersFallback: false })
    return
  }
  await putManifest(
    repo,
    referrersTag(subject),
    { ...found.index, manifests },
    MediaType.ImageIndex,
    { ...options, referrersFallback: false },
  )
}
