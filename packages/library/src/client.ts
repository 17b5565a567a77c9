import { bearerToken } from '@wharf/auth'
import { type AuthStrategy, HttpClient } from '@wharf/core-http'
import type { UploadSource } from '@wharf/transfer'
import {
  LibraryApi,
  libraryErrorParser,
  refPath,
  type TransportOptions,
  typedHttpError,
} from './api.js'
import { LibraryError } from './errors.js'
import type { Image, SearchResults, UploadImageComplete, VersionInfo } from './models.js'
import {
  type ConcurrentDownloadOptions,
  concurrentDownloadImage,
  type DownloadOptions,
  downloadImage,
} from './pull.js'
import { type UploadOptions, uploadImage } from './push.js'
import { type ImageRefInput, imageRef } from './refs.js'
import { VERSION } from './version.js'

/** The public Sylabs Cloud library API. */
export const DEFAULT_BASE_URL = 'https://library.sylabs.io'

/** Options of {@link createLibraryClient} (the seed's `Config`). */
export interface LibraryClientOptions extends TransportOptions {
  /** Base URL of the library API (default {@link DEFAULT_BASE_URL}); paths are relative to it. */
  baseURL?: string
  /** Bearer token, or a function returning the current one; sent only to the library's origin. */
  authToken?: string | (() => Promise<string>)
  /** Any auth strategy instead of `authToken`. */
  auth?: AuthStrategy
  /** Allow sending the token over plain HTTP to a host that is not loopback (default false). */
  allowInsecure?: boolean
}

/** Options with an AbortSignal only. */
export interface SignalOptions {
  signal?: AbortSignal
}

/** Options of {@link LibraryClient.getImage} and {@link LibraryClient.deleteImage}. */
export interface ImageOptions extends SignalOptions {
  /** Architecture (`amd64`, `arm64`, …); `''` for the legacy, architecture-less tags. */
  arch?: string
}

/** What to search for (see {@link LibraryClient.search}). */
export interface SearchOptions extends SignalOptions {
  /** Matched against entity, collection and container names and image hashes; 3+ characters. */
  value: string
  /** One architecture or a comma-separated list; limits results to images. */
  arch?: string
  /** Only signed (true) or unsigned (false) images; limits results to images. */
  signed?: boolean
  /** Further query parameters the server understands. */
  extra?: Record<string, string>
}

/** A Sylabs Cloud Library client (the seed's `Client`). Create one with {@link createLibraryClient}. */
export class LibraryClient {
  /** The library API transport (for advanced use: raw requests, version gates). */
  readonly api: LibraryApi
  /** The base URL every API path is resolved against. */
  readonly baseURL: URL

  constructor(options: LibraryClientOptions = {}) {
    const base = String(options.baseURL ?? DEFAULT_BASE_URL)
    try {
      this.baseURL = new URL(base.endsWith('/') ? base : `${base}/`)
    } catch (error) {
      throw new LibraryError('ERR_INVALID_URL', `baseURL is not a URL: ${JSON.stringify(base)}`, {
        cause: error,
      })
    }
    const auth =
      options.auth ??
      (options.authToken === undefined || options.authToken === ''
        ? undefined
        : bearerToken(options.authToken, { allowInsecure: options.allowInsecure ?? false }))
    const { baseURL: _b, authToken: _t, auth: _a, allowInsecure: _i, ...transport } = options
    const http = new HttpClient({
      ...transport,
      baseUrl: this.baseURL,
      userAgent: options.userAgent ?? `wharf-library/${VERSION}`,
      errorParser: libraryErrorParser,
      hooks: { onError: [typedHttpError] },
      ...(auth ? { auth } : {}),
    })
    this.api = new LibraryApi(http, transport)
  }

  /** The server's version and API version (`GET version`). */
  getVersion(options: SignalOptions = {}): Promise<VersionInfo> {
    return this.api.version(options.signal)
  }

  /**
   * Searches entities, collections, containers and images. Giving `arch` or `signed` limits the
   * results to images.
   */
  async search(options: SearchOptions): Promise<SearchResults> {
    const value = options?.value
    if (typeof value !== 'string' || value === '') {
      throw new LibraryError('ERR_INVALID_ARGUMENT', "search query ('value') must be specified")
    }
    if ([...value].length < 3) {
      throw new LibraryError(
        'ERR_INVALID_ARGUMENT',
        `bad query '${value}'. You must search for at least 3 characters`,
      )
    }
    const params: Record<string, string> = { ...options.extra, value }
    if (options.arch !== undefined) params.arch = options.arch
    if (options.signed !== undefined) params.signed = String(options.signed)
    const sorted = new URLSearchParams(Object.entries(params).sort(([a], [b]) => (a < b ? -1 : 1)))
    const data = await this.api.data<Record<string, unknown[] | null> | null>('v1/search', {
      searchParams: sorted,
      ...(options.signal ? { signal: options.signal } : {}),
    })
    return {
      entities: (data?.entity ?? []) as SearchResults['entities'],
      collections: (data?.collection ?? []) as SearchResults['collections'],
      containers: (data?.container ?? []) as SearchResults['containers'],
      images: (data?.image ?? []) as SearchResults['images'],
    }
  }

  /**
   * The image record a reference names (`entity/collection/container:tag` or `…:sha256.<hex>`,
   * with or without `library://`). Throws NotFoundError when there is none.
   */
  async getImage(ref: ImageRefInput, options: ImageOptions = {}): Promise<Image> {
    const { path, tag } = imageRef(ref, this.baseURL)
    const image = await this.api.data<Image | null>(refPath('v1/images/', `${path}:${tag}`), {
      searchParams: { arch: options.arch ?? '' },
      ...(options.signal ? { signal: options.signal } : {}),
    })
    if (!image || typeof image.id !== 'string') {
      throw new LibraryError('ERR_PROTOCOL', `GET v1/images/${path}:${tag}: answer has no image`)
    }
    return image
  }

  /** Deletes the image a reference names for one architecture (`arch` is required). */
  async deleteImage(ref: ImageRefInput, options: ImageOptions): Promise<void> {
    if (!options?.arch)
      throw new LibraryError('ERR_INVALID_ARGUMENT', 'imageRef and arch are required')
    const { path, tag } = imageRef(ref, this.baseURL)
    const response = await this.api.http.request(refPath('v1/images/', `${path}:${tag}`), {
      method: 'DELETE',
      searchParams: { arch: options.arch },
      ...(options.signal ? { signal: options.signal } : {}),
    })
    await response.discard()
  }

  /**
   * Pushes an image to `options.path` (`entity/collection/container`): creates the missing
   * records, uploads the file unless the library has it already (v2 multipart, v2 single or
   * v1, as the server supports) and sets the tags. Resolves with the quota report, or null when
   * the server gave none (the file was already there, or a v1 upload).
   */
  uploadImage(source: UploadSource, options: UploadOptions): Promise<UploadImageComplete | null> {
    return uploadImage(this.api, source, options)
  }

  /**
   * Downloads an image as one stream into `options.writable` or the file `options.destination`
   * (Node), verifying its hash when the library gives one.
   */
  downloadImage(ref: ImageRefInput, options: DownloadOptions): Promise<Image> {
    return downloadImage(this, ref, options)
  }

  /**
   * Downloads an image into the file `destination` (Node) with concurrent ranged requests when
   * the library redirects to an object store, as one stream otherwise; verifies the hash.
   */
  concurrentDownloadImage(
    ref: ImageRefInput,
    destination: string,
    options: ConcurrentDownloadOptions = {},
  ): Promise<Image> {
    return concurrentDownloadImage(this, ref, destination, options)
  }

  /** Releases the auth strategy's resources. */
  close(): Promise<void> {
    return this.api.http.close()
  }
}

/** Creates a library client (the seed's `NewClient`). */
export function createLibraryClient(options: LibraryClientOptions = {}): LibraryClient {
  return new LibraryClient(options)
}
