import { type HttpResponse, isHttpError } from '@wharf/core-http'
import { RepositoryNotFoundError } from './errors.js'
import { SessionBase } from './session-base.js'
import {
  checkId,
  checkName,
  type ImgData,
  imageList,
  JSON_LIMIT,
  type RepositoryData,
  splitTokens,
} from './v1-wire.js'

/** The V1 index calls of a session: repository image lists, tokens and registry endpoints. */
export class V1IndexSession extends SessionBase {
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
}
