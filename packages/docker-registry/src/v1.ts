import { HttpError, type HttpResponse, isHttpError } from '@wharf/core-http'
import { createHasher, RangeResponseError, SizeMismatchError } from '@wharf/transfer'
import {
  ImageExistsError,
  InvalidArgumentError,
  RepositoryNotFoundError,
  v1Message,
} from './errors.js'
import { SessionBase } from './session-base.js'

/** An image entry of a V1 index list (`ImgData`). */
export interface ImgData {
  /** 64 lower-case hex characters. */
  id: string
  /** `X-Docker-Checksum` (`tarsum+sha256:…` or `sha256:…`). */
  checksum?: string
  /** `X-Docker-Checksum-Payload`: sha256 of image JSON, `\n` and the layer. */
  checksumPayload?: string
  tag?: string
}

/** What the V1 index says about a repository. */
export interface RepositoryData {
  /** Images by id. */
  imgList: Map<string, ImgData>
  /** Registry base URLs (`<scheme>://<host>/v1/`) from `X-Docker-Endpoints`. */
  endpoints: string[]
  /** `X-Docker-Token` values to send to those registries. */
  tokens: string[]
}

/** Per-call options of V1 registry calls. */
export interface V1CallOptions {
  /** Index tokens to send (default the session's last ones). */
  token?: readonly string[]
  signal?: AbortSignal
}

/** Options of {@link V1Session.getRemoteImageLayer}. */
export interface LayerOptions extends V1CallOptions {
  /** The layer size (from `getRemoteImageJSON`); needed to resume a broken download. */
  size?: number
  /** Start at this byte (a `Range` request). */
  offset?: number
  /** Times a broken download is resumed with `Range` (default 5). */
  maxResumes?: number
}

/** The image JSON of a V1 image with what its headers say. */
export interface RemoteImageJSON {
  /** The JSON bytes exactly as served (they enter the checksum). */
  json: Uint8Array
  /** `X-Docker-Size`, the layer size, when sent. */
  size?: number
  /** `X-Docker-Checksum`, when sent. */
  checksum?: string
}

const ID = /^[a-f0-9]{64}$/
const JSON_LIMIT = 4 * 1024 * 1024

function checkId(id: string): void {
  if (typeof id !== 'string' || !ID.test(id)) {
    throw new InvalidArgumentError(
      `image id must be 64 lower-case hex characters, got ${JSON.stringify(String(id).slice(0, 80))}`,
    )
  }
}

function registryUrl(registry: string, path: string): URL {
  let base: URL
  try {
    base = new URL(registry.endsWith('/') ? registry : `${registry}/`)
  } catch {
    throw new InvalidArgumentError(
      `registry must be a URL such as https://host/v1/, got ${JSON.stringify(registry.slice(0, 200))}`,
    )
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new InvalidArgumentError(`registry must be http(s), got ${base.protocol}`)
  }
  return new URL(path, base)
}

function checkName(name: string): string {
  if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)?$/.test(name)) {
    throw new InvalidArgumentError(
      `V1 repository names are [namespace/]name in lower case, got ${JSON.stringify(String(name).slice(0, 200))}`,
    )
  }
  return name
}

/** Splits `X-Docker-Token` values (fetch joins repeated headers with ", "). */
function splitTokens(value: string | null): string[] {
  return value
    ? value
        .split(/,\s+(?=signature=)/)
        .map((t) => t.trim())
        .filter(Boolean)
    : []
}

function imageList(value: unknown): Map<string, ImgData> {
  const out = new Map<string, ImgData>()
  if (!Array.isArray(value))
    throw new InvalidArgumentError('the index answered an image list that is not a JSON array')
  for (const e of value.slice(0, 100_000)) {
    if (!e || typeof e !== 'object' || typeof e.id !== 'string' || !ID.test(e.id)) continue
    out.set(e.id, {
      id: e.id,
      ...(typeof e.checksum === 'string' && e.checksum ? { checksum: e.checksum } : {}),
      ...(typeof e.Tag === 'string' && e.Tag ? { tag: e.Tag } : {}),
    })
  }
  return out
}

/** The legacy V1 calls of a session: the index (repositories, tokens) and registries (images, tags). */
export class V1Session extends SessionBase {
  #endpoints(response: HttpResponse): string[] {
    const index = this.endpoint.indexUrl
    const hosts = (response.headers.get('x-docker-endpoints') ?? '')
      .split(',')
      .map((h) => h.trim())
      .filter((h) => /^[A-Za-z0-9.:[\]-]+$/.test(h))
    return hosts.length ? hosts.map((h) => `${index.protocol}//${h}/v1/`) : [index.href]
  }

  #repositoryData(response: HttpResponse, imgList: Map<string, ImgData>): RepositoryData {
    const tokens = splitTokens(response.headers.get('x-docker-token'))
    if (tokens.length) this.tokens = tokens
    return { imgList, endpoints: this.#endpoints(response), tokens }
  }

  /** `GET <index>/repositories/<remote>/images`: the image list, a token and the registries to pull from. */
  async getRepositoryData(
    remote: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<RepositoryData> {
    const url = new URL(`repositories/${checkName(remote)}/images`, this.endpoint.indexUrl)
    let response: HttpResponse
    try {
      response = await this.clientFor(url).request(url, {
        headers: { 'x-docker-token': 'true' },
        ...(options.signal ? { signal: options.signal } : {}),
      })
    } catch (error) {
      if (isHttpError(error, 404))
        throw new RepositoryNotFoundError(`repository ${remote}`, { cause: error })
      throw error
    }
    return this.#repositoryData(response, imageList(await response.json({ limit: JSON_LIMIT })))
  }

  /** `GET <registry>images/<id>/ancestry`: the image and its parents, base last. */
  async getRemoteHistory(
    imageId: string,
    registry: string,
    options: V1CallOptions = {},
  ): Promise<string[]> {
    checkId(imageId)
    const url = registryUrl(registry, `images/${imageId}/ancestry`)
    const list = await this.clientFor(url).json<unknown>(url, this.#call(options))
    if (!Array.isArray(list) || !list.every((id) => typeof id === 'string' && ID.test(id))) {
      throw new InvalidArgumentError(`the ancestry of ${imageId} is not a list of image ids`)
    }
    return list
  }

  /** `GET <registry>images/<id>/json`: the image JSON bytes, layer size and checksum. */
  async getRemoteImageJSON(
    imageId: string,
    registry: string,
    options: V1CallOptions = {},
  ): Promise<RemoteImageJSON> {
    checkId(imageId)
    const url = registryUrl(registry, `images/${imageId}/json`)
    const response = await this.clientFor(url).request(url, this.#call(options))
    const json = await response.bytes({ limit: JSON_LIMIT })
    const size = Number(response.headers.get('x-docker-size') ?? Number.NaN)
    const checksum = response.headers.get('x-docker-checksum')
    return {
      json,
      ...(Number.isSafeInteger(size) && size >= 0 ? { size } : {}),
      ...(checksum ? { checksum } : {}),
    }
  }

  /**
   * `GET <registry>images/<id>/layer` as a stream. With `size` known and `Accept-Ranges: bytes`
   * from the server, a download that breaks is resumed with `Range: bytes=<received>-`.
   */
  async getRemoteImageLayer(
    imageId: string,
    registry: string,
    options: LayerOptions = {},
  ): Promise<ReadableStream<Uint8Array>> {
    checkId(imageId)
    const url = registryUrl(registry, `images/${imageId}/layer`)
    const { size, maxResumes = 5 } = options
    let received = options.offset ?? 0
    if (!Number.isSafeInteger(received) || received < 0)
      throw new InvalidArgumentError('offset must be a non-negative integer')
    const client = this.clientFor(url)
    const open = async (from: number) => {
      const call = this.#call(options)
      const response = await client.request(url, {
        ...call,
        headers: { ...call.headers, ...(from > 0 ? { range: `bytes=${from}-` } : {}) },
      })
      const start = /^bytes (\d+)-/.exec(response.headers.get('content-range') ?? '')?.[1]
      if (from > 0 && (response.status !== 206 || Number(start) !== from)) {
        await response.discard()
        throw new RangeResponseError(
          `${imageId}: asked for bytes from ${from}, the registry answered ${response.status} ${response.headers.get('content-range') ?? ''}`.trim(),
        )
      }
      return response
    }
    let response = await open(received)
    const resumable = size !== undefined && response.headers.get('accept-ranges') === 'bytes'
    let reader = response.body!.getReader()
    let resumes = 0
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        for (;;) {
          try {
            const { done, value } = await reader.read()
            if (!done) {
              received += value.byteLength
              if (size !== undefined && received > size)
                throw new SizeMismatchError(size, received, `layer ${imageId}`)
              controller.enqueue(value)
              return
            }
            if (size === undefined || received === size) return controller.close()
            throw new SizeMismatchError(size, received, `layer ${imageId}`)
          } catch (error) {
            if (
              !resumable ||
              resumes >= maxResumes ||
              (error instanceof SizeMismatchError && received > size!)
            )
              throw error
            resumes++
            response = await open(received)
            reader = response.body!.getReader()
          }
        }
      },
      cancel(reason) {
        return reader.cancel(reason)
      },
    })
  }

  /** `GET <registry>repositories/<name>/tags` on each registry in turn: tag → image id. */
  async getRemoteTags(
    registries: readonly string[],
    repository: string,
    options: V1CallOptions = {},
  ): Promise<Record<string, string>> {
    const name = checkName(repository).includes('/') ? repository : `library/${repository}`
    let last: unknown = new InvalidArgumentError('no registry given')
    for (const registry of registries.slice(0, 64)) {
      const url = registryUrl(registry, `repositories/${name}/tags`)
      try {
        const tags = await this.clientFor(url).json<unknown>(url, this.#call(options))
        if (!tags || typeof tags !== 'object' || Array.isArray(tags))
          throw new InvalidArgumentError(`the tags of ${name} are not a JSON object`)
        return Object.fromEntries(
          Object.entries(tags).filter(([, id]) => typeof id === 'string' && ID.test(id)),
        )
      } catch (error) {
        if (isHttpError(error, 404))
          throw new RepositoryNotFoundError(`repository ${name}`, { cause: error })
        last = error
      }
    }
    throw last
  }

  /**
   * `GET <registry>images/<id>/json`: true when the image exists, false on 404; any other
   * answer is thrown, never masked.
   */
  async lookupRemoteImage(
    imageId: string,
    registry: string,
    options: V1CallOptions = {},
  ): Promise<boolean> {
    checkId(imageId)
    const url = registryUrl(registry, `images/${imageId}/json`)
    const response = await this.clientFor(url).request(url, {
      ...this.#call(options),
      throwHttpErrors: (status) => status !== 404,
    })
    await response.discard()
    return response.status !== 404
  }

  /** `PUT <registry>images/<id>/json`. An image already there is an ImageExistsError (skip it). */
  async pushImageJSONRegistry(
    imgData: ImgData,
    jsonRaw: Uint8Array | string,
    registry: string,
    options: V1CallOptions = {},
  ): Promise<void> {
    checkId(imgData.id)
    const url = registryUrl(registry, `images/${imgData.id}/json`)
    const call = this.#call(options)
    try {
      const response = await this.clientFor(url).request(url, {
        ...call,
        method: 'PUT',
        headers: { ...call.headers, 'content-type': 'application/json' },
        body: jsonRaw,
      })
      await response.discard()
    } catch (error) {
      if (
        error instanceof HttpError &&
        (error.status === 409 || /already exists/i.test(v1Message(error)))
      ) {
        throw new ImageExistsError(imgData.id, { cause: error })
      }
      throw error
    }
  }

  /**
   * `PUT <registry>images/<id>/layer`, streaming the layer while hashing image JSON, `\n` and
   * the layer: returns that `sha256:` checksum and checksum payload (the simple form every V1
   * registry accepts in place of a TarSum).
   */
  async pushImageLayerRegistry(
    imageId: string,
    layer: ReadableStream<Uint8Array> | Uint8Array,
    registry: string,
    options: V1CallOptions & { jsonRaw: Uint8Array | string },
  ): Promise<{ checksum: string; checksumPayload: string }> {
    checkId(imageId)
    const url = registryUrl(registry, `images/${imageId}/layer`)
    const hasher = createHasher('sha256')
    hasher.update(
      typeof options.jsonRaw === 'string'
        ? new TextEncoder().encode(options.jsonRaw)
        : options.jsonRaw,
    )
    hasher.update(new Uint8Array([0x0a]))
    const source = layer instanceof Uint8Array ? new Blob([layer as BlobPart]).stream() : layer
    const body = source.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          hasher.update(chunk)
          controller.enqueue(chunk)
        },
      }),
    )
    const call = this.#call(options)
    const response = await this.clientFor(url).request(url, {
      ...call,
      method: 'PUT',
      headers: {
        ...call.headers,
        'content-type': 'application/octet-stream',
        ...(layer instanceof Uint8Array ? { 'content-length': String(layer.byteLength) } : {}),
      },
      body,
    })
    await response.discard()
    const checksum = `sha256:${hasher.digest().hex}`
    return { checksum, checksumPayload: checksum }
  }

  /** `PUT <registry>images/<id>/checksum` with `X-Docker-Checksum` and `X-Docker-Checksum-Payload`. */
  async pushImageChecksumRegistry(
    imgData: ImgData,
    registry: string,
    options: V1CallOptions = {},
  ): Promise<void> {
    checkId(imgData.id)
    if (!imgData.checksum || !imgData.checksumPayload) {
      throw new InvalidArgumentError(
        `image ${imgData.id}: checksum and checksumPayload are needed (from pushImageLayerRegistry)`,
      )
    }
    const url = registryUrl(registry, `images/${imgData.id}/checksum`)
    const call = this.#call(options)
    const response = await this.clientFor(url).request(url, {
      ...call,
      method: 'PUT',
      headers: {
        ...call.headers,
        'x-docker-checksum': imgData.checksum,
        'x-docker-checksum-payload': imgData.checksumPayload,
      },
    })
    await response.discard()
  }

  /** `PUT <registry>repositories/<remote>/tags/<tag>` with the image id as a JSON string. */
  async pushRegistryTag(
    remote: string,
    revision: string,
    tag: string,
    registry: string,
    options: V1CallOptions = {},
  ): Promise<void> {
    checkId(revision)
    if (typeof tag !== 'string' || !/^[\w][\w.-]{0,127}$/.test(tag)) {
      throw new InvalidArgumentError(`invalid tag ${JSON.stringify(String(tag).slice(0, 200))}`)
    }
    const url = registryUrl(registry, `repositories/${checkName(remote)}/tags/${tag}`)
    const response = await this.clientFor(url).request(url, {
      ...this.#call(options),
      method: 'PUT',
      json: revision,
    })
    await response.discard()
  }

  /**
   * `PUT <index>/repositories/<remote>/` (declare a push: returns tokens and endpoints) or,
   * with `validate`, `PUT …/images` closing the push with checksums and `X-Docker-Endpoints`.
   */
  async pushImageJSONIndex(
    remote: string,
    imgList: readonly ImgData[],
    options: { validate?: boolean; registries?: readonly string[]; signal?: AbortSignal } = {},
  ): Promise<RepositoryData> {
    for (const img of imgList) checkId(img.id)
    const url = new URL(
      `repositories/${checkName(remote)}/${options.validate ? 'images' : ''}`,
      this.endpoint.indexUrl,
    )
    const body = imgList.map((i) => ({
      id: i.id,
      ...(i.checksum ? { checksum: i.checksum } : {}),
      ...(i.tag ? { Tag: i.tag } : {}),
    }))
    const headers: Record<string, string> = { 'x-docker-token': 'true' }
    if (options.validate) headers['x-docker-endpoints'] = (options.registries ?? []).join(', ')
    const response = await this.clientFor(url).request(url, {
      method: 'PUT',
      headers,
      json: body,
      ...(options.signal ? { signal: options.signal } : {}),
    })
    await response.discard()
    return this.#repositoryData(response, new Map())
  }

  #call(options: V1CallOptions): { headers: Record<string, string>; signal?: AbortSignal } {
    return {
      headers: this.tokenHeaders(options.token),
      ...(options.signal ? { signal: options.signal } : {}),
    }
  }
}
