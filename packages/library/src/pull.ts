import type { HttpResponse } from '@wharf/core-http'
import {
  DEFAULT_PART_SIZE,
  type Digest,
  downloadStream,
  type ProgressListener,
  parseDigest,
  rangeHeader,
} from '@wharf/transfer'
import { type LibraryApi, refPath } from './api.js'
import { LibraryError } from './errors.js'
import type { Image } from './models.js'
import { type ImageRefInput, imageRef } from './refs.js'

/** What pull needs from the client. */
interface Puller {
  readonly api: LibraryApi
  readonly baseURL: URL
  getImage(ref: ImageRefInput, options: { arch?: string; signal?: AbortSignal }): Promise<Image>
}

/** Options of `downloadImage`: where the bytes go, and which architecture. */
export interface DownloadOptions {
  /** Architecture of the image (`''`, the default, uses the legacy tags). */
  arch?: string
  /** Receives the verified bytes; it is closed at the end and aborted on failure. */
  writable?: WritableStream<Uint8Array>
  /** A file path (Node only): written to a temporary file, renamed once verified. */
  destination?: string
  /** Throttled progress events. */
  onProgress?: ProgressListener
  signal?: AbortSignal
}

/** Options of `concurrentDownloadImage` (the seed's `Downloader` spec). */
export interface ConcurrentDownloadOptions {
  arch?: string
  /** Range requests at once (default 3). */
  concurrency?: number
  /** Bytes per Range request (default 5 MiB); smaller images take one request. */
  partSize?: number
  onProgress?: ProgressListener
  signal?: AbortSignal
}

/** The digest an image must have: its `sha256.<hex>` hash (a `sif.<uuid>` cannot be checked). */
function expectedDigest(image: Image): Digest | undefined {
  return typeof image.hash === 'string' && image.hash.startsWith('sha256.')
    ? parseDigest(image.hash)
    : undefined
}

/**
 * A `fetchRange` for transfer's downloaders: the first request goes to `v1/imagefile/<ref>`
 * without following redirects; a redirect's target (the object store) gets the later Range
 * requests, with the bearer token only when it is the library's own origin.
 */
function imageFileFetcher(api: LibraryApi, path: string, arch: string) {
  let location: URL | undefined
  const throwHttpErrors = (status: number) => status >= 400 && status !== 416
  return async (
    range: { start: number; end?: number } | undefined,
    signal: AbortSignal,
  ): Promise<HttpResponse> => {
    const headers: Record<string, string> = range ? { range: rangeHeader(range) } : {}
    if (!location) {
      const response = await api.http.request(path, {
        searchParams: { arch },
        headers,
        signal,
        followRedirects: false,
        throwHttpErrors,
      })
      if (response.status < 300 || response.status >= 400) return response
      const target = response.headers.get('location')
      await response.discard()
      if (!target) {
        throw new LibraryError('ERR_PROTOCOL', `GET ${path}: ${response.status} without Location`)
      }
      location = new URL(target, response.url)
      if (location.protocol !== 'http:' && location.protocol !== 'https:') {
        throw new LibraryError(
          'ERR_PROTOCOL',
          `GET ${path}: redirect to a ${location.protocol} URL`,
        )
      }
    }
    const client =
      location.origin === api.http.baseUrl.origin ? api.http : api.storage(location.href)
    return client.request(location, { headers, signal, throwHttpErrors })
  }
}

/** The image record and the pieces the downloaders need. */
async function prepare(
  client: Puller,
  ref: ImageRefInput,
  options: { arch?: string; signal?: AbortSignal },
) {
  const { path, tag } = imageRef(ref, client.baseURL)
  const arch = options.arch ?? ''
  const image = await client.getImage({ host: '', path, tags: [tag] }, options)
  if (!Number.isSafeInteger(image.size) || image.size < 0) {
    throw new LibraryError(
      'ERR_PROTOCOL',
      `the library sent image ${path}:${tag} with an invalid size ${JSON.stringify(image.size)}`,
    )
  }
  if (!image.uploaded && image.size === 0) {
    throw new LibraryError('ERR_NOT_UPLOADED', `image ${path}:${tag} has no file yet`)
  }
  const expected = expectedDigest(image)
  const fetchRange = imageFileFetcher(client.api, refPath('v1/imagefile/', `${path}:${tag}`), arch)
  return {
    image,
    base: {
      fetchRange,
      size: image.size,
      ...(expected ? { expected } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    },
  }
}

/** Loads the Node file downloader on demand, so the main entry stays portable. */
async function fileDownloader() {
  const { downloadToFile } = await import('@wharf/transfer/node')
  return downloadToFile
}

/** Single-stream download into a writable or a file (see `LibraryClient.downloadImage`). */
export async function downloadImage(
  client: Puller,
  ref: ImageRefInput,
  options: DownloadOptions,
): Promise<Image> {
  if (!options || (options.writable === undefined) === (options.destination === undefined)) {
    throw new LibraryError('ERR_INVALID_ARGUMENT', 'give exactly one of writable or destination')
  }
  const { image, base } = await prepare(client, ref, options)
  const single = {
    ...base,
    concurrency: 1,
    partSize: Math.max(1, image.size),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  }
  if (options.destination !== undefined) {
    const downloadToFile = await fileDownloader()
    await downloadToFile({ ...single, destination: options.destination })
  } else {
    await downloadStream(single).pipeTo(options.writable!, {
      ...(options.signal ? { signal: options.signal } : {}),
    })
  }
  return image
}

/** Ranged concurrent download into a file (see `LibraryClient.concurrentDownloadImage`). */
export async function concurrentDownloadImage(
  client: Puller,
  ref: ImageRefInput,
  destination: string,
  options: ConcurrentDownloadOptions,
): Promise<Image> {
  if (typeof destination !== 'string' || destination === '') {
    throw new LibraryError('ERR_INVALID_ARGUMENT', 'destination must be a file path')
  }
  const { image, base } = await prepare(client, ref, options)
  const downloadToFile = await fileDownloader()
  await downloadToFile({
    ...base,
    destination,
    concurrency: Math.max(1, options.concurrency ?? 3),
    partSize: options.partSize ?? DEFAULT_PART_SIZE,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  })
  return image
}
