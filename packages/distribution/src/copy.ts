import { readLimited } from '@wharf/core-http'
import { digestOf, isTransient } from '@wharf/transfer'
import { bytesStream } from './bytes.js'
import type { ContentOptions, ContentTarget } from './content.js'
import { BlobUploadError, ManifestUnknownError } from './errors.js'
import { ContentNotFoundError } from './memory.js'
import { matchPlatform, type PlatformSpec, selectPlatform } from './platform.js'
import { limiter, mapLimit } from './pool.js'
import { isValidDigest } from './reference.js'
import { DEFAULT_ACCEPT, type Descriptor, type ImageIndex, isIndexType } from './types.js'
import { childDescriptors, parseManifest } from './validate.js'

/** What happened to one descriptor during a copy. */
export interface CopyEvent {
  descriptor: Descriptor
  action: 'copied' | 'mounted' | 'skipped'
}

/** Options of {@link copy}. */
export interface CopyOptions extends ContentOptions {
  /** The source tag or digest to copy. */
  reference: string
  /** Tag to set at the destination (default: `reference` when it is a tag). */
  destinationReference?: string
  /** Copy only these platforms of an index (one match copies that manifest alone). */
  platforms?: PlatformSpec[]
  /** Blobs moved at once (default 4). */
  concurrency?: number
  /** Largest manifest read, bytes (default 4 MiB). */
  maxManifestSize?: number
  /** Called once per descriptor. */
  onCopy?: (event: CopyEvent) => void
}

const isManifest = (d: Descriptor) => DEFAULT_ACCEPT.includes(d.mediaType)

/**
 * Copies an image or index (and everything under it) from one content target to another:
 * children before parents, blobs with bounded concurrency, nothing the destination already
 * has (a present manifest skips its whole subtree), cross-repository mounts when the
 * destination can, digests preserved. Resolves with the root descriptor; on a failure the
 * other transfers are stopped and settled before it rejects.
 */
export async function copy(
  source: ContentTarget,
  destination: ContentTarget,
  options: CopyOptions,
): Promise<Descriptor> {
  // The first failure stops the other transfers, and copy() settles only after they have.
  const stop = new AbortController()
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal
  const call: ContentOptions = { signal }
  const limit = options.maxManifestSize ?? 4 * 1024 * 1024
  const run = limiter(options.concurrency ?? 4)
  const done = new Map<string, Promise<void>>()
  const inMemory = new Map<string, Uint8Array>()

  const readManifest = async (d: Descriptor) =>
    inMemory.get(d.digest) ??
    readLimited(await source.fetch(d, call), limit, `manifest ${d.digest}`)

  const copyBlob = async (d: Descriptor) => {
    const fast = await destination.copyFrom?.(d, source, call)
    if (!fast) await destination.push(d, await source.fetch(d, call), call)
    return fast ?? 'copied'
  }

  const copyNode = (d: Descriptor): Promise<void> => {
    let pending = done.get(d.digest)
    if (!pending) {
      pending = (async () => {
        if (await destination.exists(d, call))
          return options.onCopy?.({ descriptor: d, action: 'skipped' })
        if (isManifest(d)) {
          const bytes = await readManifest(d)
          const { manifest } = parseManifest(bytes, d.mediaType)
          await mapLimit(childDescriptors(manifest), Number.POSITIVE_INFINITY, copyNode)
          await destination.push(d, bytesStream(bytes), call)
          return options.onCopy?.({ descriptor: d, action: 'copied' })
        }
        await run(async () => {
          const action = await retryOnce(() => copyBlob(d), signal)
          options.onCopy?.({ descriptor: d, action })
        })
      })()
      done.set(d.digest, pending)
    }
    return pending
  }

  const tag =
    options.destinationReference ??
    (isValidDigest(options.reference) ? undefined : options.reference)
  // Both ends at once: when the destination tag already names the source root, nothing moves.
  const [resolved, current] = await Promise.all([
    source.resolve(options.reference, call),
    tag && !isValidDigest(tag) ? destination.resolve(tag, call).catch(absent) : undefined,
  ])
  let root = resolved
  if (options.platforms?.length && isIndexType(root.mediaType)) {
    root = await selectRoot(root, await readManifest(root), options.platforms, inMemory)
  }
  if (current?.digest === root.digest) {
    options.onCopy?.({ descriptor: root, action: 'skipped' })
    return root
  }
  try {
    await copyNode(root)
  } catch (error) {
    stop.abort(error)
    await Promise.allSettled(done.values())
    throw error
  }
  if (tag && !isValidDigest(tag)) await destination.tag(root, tag, call)
  return root
}

/**
 * Runs `attempt` again once after a transient failure (a cut connection, a 5xx, an upload
 * session the registry dropped): a blob streams from source to destination in one request,
 * so its second attempt reads the source anew.
 */
async function retryOnce<T>(attempt: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  try {
    return await attempt()
  } catch (error) {
    if (signal?.aborted || !(isTransient(error) || error instanceof BlobUploadError)) throw error
    return attempt()
  }
}

/** Not-found answers mean "no such tag yet"; anything else is a real failure. */
function absent(error: unknown): undefined {
  if (error instanceof ManifestUnknownError || error instanceof ContentNotFoundError)
    return undefined
  throw error
}

/** The root to copy for a platform selection: the single match, or a new index of the matches. */
async function selectRoot(
  root: Descriptor,
  bytes: Uint8Array,
  platforms: PlatformSpec[],
  inMemory: Map<string, Uint8Array>,
): Promise<Descriptor> {
  const index = parseManifest(bytes, root.mediaType).manifest as ImageIndex
  if (platforms.length === 1) return selectPlatform(index, platforms[0]!)
  const manifests = index.manifests.filter((d) =>
    platforms.some((p) => matchPlatform(d.platform, p)),
  )
  if (manifests.length === 0) selectPlatform(index, platforms[0]!)
  const filtered = new TextEncoder().encode(JSON.stringify({ ...index, manifests }))
  const descriptor = {
    mediaType: root.mediaType,
    digest: digestOf(filtered).toString(),
    size: filtered.byteLength,
  }
  inMemory.set(descriptor.digest, filtered)
  return descriptor
}
