import { AbortError } from '@wharf/core-http'
import {
  hashStream,
  type ProgressListener,
  throttleProgress,
  type UploadSource,
  verifyingStream,
} from '@wharf/transfer'
import { type LibraryApi, refPath } from './api.js'
import { API_VERSION_V2_ARCH_TAGS, API_VERSION_V2_UPLOAD } from './api-version.js'
import { LibraryError, NotFoundError } from './errors.js'
import type {
  ArchImageTag,
  Collection,
  Container,
  Entity,
  Image,
  ImageTag,
  UploadImageComplete,
} from './models.js'
import { pushPath } from './refs.js'
import {
  fileBody,
  open,
  type Signal,
  uploadV1,
  uploadV2Multipart,
  uploadV2Single,
} from './upload-file.js'

/** Files larger than this go up in v2 multipart uploads (the Go client's 64 MiB). */
export const MULTIPART_THRESHOLD = 64 * 1024 * 1024

/** Options of `uploadImage`. */
export interface UploadOptions {
  /** `entity/collection/container` (optionally with `library://`), without tags. */
  path: string
  /** Architecture the tags are set for (default `amd64`). */
  arch?: string
  /** Tags to point at the image (default `['latest']`; `[]` sets none). */
  tags?: string[]
  /** Description of a newly created image record. */
  description?: string
  /** Throttled progress of the file upload. */
  onProgress?: ProgressListener
  signal?: AbortSignal
  /** Parts sent at once in a multipart upload (default 1, as the Go client). */
  concurrency?: number
  /** Size above which the multipart flow is tried (default 64 MiB). */
  multipartThreshold?: number
  /**
   * Largest part size accepted from the server (default 1 GiB): each part in flight is held in
   * memory, so a larger one fails the upload (after aborting it) instead of exhausting memory.
   */
  maxPartSize?: number
}

function sizeOf(source: UploadSource): number {
  const size =
    source instanceof Uint8Array ? source.byteLength : (source as { size?: unknown })?.size
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new LibraryError(
      'ERR_INVALID_ARGUMENT',
      'upload source must be a Blob, bytes or a sized source',
    )
  }
  return size
}

/** The digest of the whole source (read once, checked for its size), stopping on abort. */
async function hashSource(source: UploadSource, size: number, signal?: AbortSignal) {
  const stream = open(source, size).pipeThrough(verifyingStream({ size }), signal ? { signal } : {})
  try {
    return await hashStream(stream)
  } catch (error) {
    if (signal?.aborted) throw new AbortError('uploadImage (hashing the source)', signal.reason)
    throw error
  }
}

/** The record the library answered, or ERR_PROTOCOL when it is not one with an id. */
function withId<T extends { id: string }>(name: string, record: T | null): T {
  if (typeof record?.id !== 'string' || record.id === '') {
    throw new LibraryError('ERR_PROTOCOL', `the library returned a ${name} without an id`)
  }
  return record
}

/** GETs a record; on 404 creates it with `create`. Either way it must have an id. */
async function findOrCreate<T extends { id: string }>(
  api: LibraryApi,
  name: string,
  path: string,
  create: { path: string; body: Record<string, unknown> },
  o: Signal,
): Promise<T> {
  try {
    return withId(name, await api.data<T | null>(path, o))
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error
  }
  return withId(
    name,
    await api.data<T | null>(create.path, { method: 'POST', json: create.body, ...o }),
  )
}

/** The entity, collection, container and image records of a push, created when missing. */
async function records(
  api: LibraryApi,
  path: string,
  hash: string,
  arch: string,
  description: string,
  o: Signal,
): Promise<{ container: Container; image: Image }> {
  const { entity: e, collection: c, container: n } = pushPath(path)
  const entity = await findOrCreate<Entity>(
    api,
    'entity',
    refPath('v1/entities/', e),
    { path: 'v1/entities', body: { name: e, description: 'No description' } },
    o,
  )
  const collection = await findOrCreate<Collection>(
    api,
    'collection',
    refPath('v1/collections/', `${e}/${c}`),
    { path: 'v1/collections', body: { name: c, description: 'No description', entity: entity.id } },
    o,
  )
  const container = await findOrCreate<Container>(
    api,
    'container',
    refPath('v1/containers/', `${e}/${c}/${n}`),
    {
      path: 'v1/containers',
      body: { name: n, description: 'No description', collection: collection.id },
    },
    o,
  )
  let image: Image | null
  try {
    image = await api.data<Image | null>(refPath('v1/images/', `${e}/${c}/${n}:${hash}`), {
      searchParams: { arch },
      ...o,
    })
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error
    image = await api.data<Image | null>('v1/images', {
      method: 'POST',
      json: { hash, description, container: container.id },
      ...o,
    })
  }
  return { container, image: withId('image', image) }
}

/** Points the tags at the image: v2 arch tags when the server has them, v1 tags otherwise. */
async function setTags(
  api: LibraryApi,
  container: Container,
  image: Image,
  tags: string[],
  arch: string,
  o: Signal,
): Promise<void> {
  const v2 = await api.supports(API_VERSION_V2_ARCH_TAGS, o.signal)
  const path = refPath(v2 ? 'v2/tags/' : 'v1/tags/', container.id)
  await api.data(path, o)
  for (const tag of tags) {
    const body: ImageTag | ArchImageTag = v2
      ? { Arch: arch, Tag: tag, ImageID: image.id }
      : { Tag: tag, ImageID: image.id }
    await api.data(path, { method: 'POST', json: body, ...o })
  }
}

/** Pushes an image (see `LibraryClient.uploadImage`). */
export async function uploadImage(
  api: LibraryApi,
  source: UploadSource,
  options: UploadOptions,
): Promise<UploadImageComplete | null> {
  if (!options || typeof options !== 'object') {
    throw new LibraryError('ERR_INVALID_ARGUMENT', 'uploadImage needs options with a path')
  }
  pushPath(options.path)
  const tags = options.tags ?? ['latest']
  if (
    !Array.isArray(tags) ||
    tags.some((t) => typeof t !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(t))
  ) {
    throw new LibraryError('ERR_INVALID_ARGUMENT', `invalid tags ${JSON.stringify(tags)}`)
  }
  const arch = options.arch ?? 'amd64'
  const o: Signal = options.signal ? { signal: options.signal } : {}
  const size = sizeOf(source)
  const { digest } = await hashSource(source, size, options.signal)
  const hash = digest.toLibraryString()
  const { container, image } = await records(
    api,
    options.path,
    hash,
    arch,
    options.description ?? '',
    o,
  )

  let result: UploadImageComplete | null = null
  if (!image.uploaded) {
    const report = options.onProgress && throttleProgress(options.onProgress)
    const body = fileBody(source, size, report)
    const threshold = options.multipartThreshold ?? MULTIPART_THRESHOLD
    const v2 = await api.supports(API_VERSION_V2_UPLOAD, o.signal)
    const multipart =
      v2 && size > threshold ? await uploadV2Multipart(api, image, source, size, options) : null
    if (multipart) result = multipart.result
    else {
      if (v2) result = await uploadV2Single(api, image, digest, body, o)
      else await uploadV1(api, image, body, o)
      report?.({ type: 'done', transferred: size })
    }
  }
  await setTags(api, container, image, tags, arch, o)
  return result
}
