import { HttpError, isHttpError } from '@wharf/core-http'
import { createHasher, RangeResponseError } from '@wharf/transfer'
import {
  ImageExistsError,
  InvalidArgumentError,
  RepositoryNotFoundError,
  v1Message,
} from './errors.js'
import { resumableStream } from './resume.js'
import { V1IndexSession } from './v1-index.js'
import {
  checkId,
  checkName,
  ID,
  type ImgData,
  JSON_LIMIT,
  type LayerOptions,
  type RemoteImageJSON,
  registryUrl,
  type V1CallOptions,
} from './v1-wire.js'

/** The legacy V1 calls of a session: the index's (inherited) and the registries' (images, tags). */
export class V1Session extends V1IndexSession {
  /** `GET <registry>images/<id>/ancestry`: the image and its parents, base last. */
  async getRemoteHistory(
    imageId: string,
    registry: string,
    options: V1CallOptions = {},
  ): Promise<string[]> {
    checkId(imageId)
    const url = registryUrl(registry, `images/${imageId}/ancestry`)
    const list = await this.clientFor(url).json<unknown>(url, this.v1Call(options))
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
    const response = await this.clientFor(url).request(url, this.v1Call(options))
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
    const offset = options.offset ?? 0
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new InvalidArgumentError('offset must be a non-negative integer')
    }
    const client = this.clientFor(url)
    const open = async (from: number) => {
      const call = this.v1Call(options)
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
    return resumableStream({
      open,
      first: await open(offset),
      offset,
      maxResumes: options.maxResumes ?? 5,
      what: `layer ${imageId}`,
      ...(options.size === undefined ? {} : { size: options.size }),
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
        const tags = await this.clientFor(url).json<unknown>(url, this.v1Call(options))
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
      ...this.v1Call(options),
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
    const call = this.v1Call(options)
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
    const call = this.v1Call(options)
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
    const call = this.v1Call(options)
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
      ...this.v1Call(options),
      method: 'PUT',
      json: revision,
    })
    await response.discard()
  }
}
