import { type HttpClient, type HttpResponse, isWharfError, redactUrl } from '@wharf/core-http'
import { EndpointError, InvalidArgumentError } from './errors.js'
import { dockerHttpClient, type TransportOptions } from './http.js'
import { HUB, type HubOrigins, isHubAddress } from './hub.js'

/** The registry API generation: 1 (legacy V1 registry and index) or 2 (Docker Registry HTTP API V2). */
export type APIVersion = 1 | 2
/** The legacy V1 API. */
export const APIVersion1: APIVersion = 1
/** The V2 API. */
export const APIVersion2: APIVersion = 2

/** `v1` or `v2`: the path prefix of an API version. */
export function apiVersionString(version: APIVersion): 'v1' | 'v2' {
  return version === 1 ? 'v1' : 'v2'
}

/** What a ping found out about an endpoint. */
export interface RegistryInfo {
  version: APIVersion
  /**
   * V1: the registry does its own auth (`X-Docker-Registry-Standalone`, absent ⇒ true).
   * V2 registries are always standalone.
   */
  standalone: boolean
  /** V1: `X-Docker-Registry-Version`. */
  registryVersion?: string
  /** V2: `Docker-Distribution-API-Version` (e.g. `registry/2.0`), when sent. */
  apiVersionHeader?: string
  /** V2: the `/v2/` status, 200 (open) or 401 (wants credentials). */
  status: number
  /** All response headers of the ping that succeeded (challenges included). */
  headers: Headers
}

/** Options of {@link createEndpoint}. */
export interface EndpointOptions extends TransportOptions {
  /** Use `http://` for a bare `host[:port]` (default https). */
  plainHttp?: boolean
  /** Where Docker Hub lives (default its real addresses); tests point it at a mock. */
  hub?: Partial<HubOrigins>
}

/** A registry endpoint: its V2 base, its V1 index, and a ping that detects the API version. */
export class Endpoint {
  /** Base URL of the registry (`https://registry-1.docker.io/` for Hub). */
  readonly url: URL
  /** Base of the V1 index and search (`https://index.docker.io/v1/` for Hub, `<url>/v1/` otherwise). */
  readonly indexUrl: URL
  /** True when this is Docker Hub (or the mock posing as it). */
  readonly hub: boolean
  /** The options the endpoint was made with (transport settings are reused by sessions). */
  readonly options: Readonly<EndpointOptions>
  /** The API version found by the last {@link ping}. */
  version: APIVersion | undefined
  readonly #client: HttpClient

  constructor(url: URL, indexUrl: URL, hub: boolean, options: EndpointOptions) {
    this.url = url
    this.indexUrl = indexUrl
    this.hub = hub
    this.options = Object.freeze({ ...options })
    this.#client = dockerHttpClient(url, options)
  }

  /** `v1` or `v2`. */
  versionString(version: APIVersion): 'v1' | 'v2' {
    return apiVersionString(version)
  }

  /**
   * Detects the API: `GET /v2/` first (200 or 401 ⇒ V2), then `GET /v1/_ping` on the index
   * (200 ⇒ V1). Throws EndpointError when neither answers like a registry.
   */
  async ping(options: { signal?: AbortSignal } = {}): Promise<RegistryInfo> {
    const request = { throwHttpErrors: false, auth: false, ...options } as const
    let v2: HttpResponse | undefined
    let failure: unknown
    try {
      v2 = await this.#client.request('v2/', request)
      await v2.discard()
    } catch (error) {
      if (!isWharfError(error) || error.code === 'ERR_ABORTED') throw error
      failure = error
    }
    if (v2 && (v2.status === 200 || v2.status === 401)) {
      this.version = 2
      const header = v2.headers.get('docker-distribution-api-version')
      return {
        version: 2,
        standalone: true,
        status: v2.status,
        headers: v2.headers,
        ...(header ? { apiVersionHeader: header } : {}),
      }
    }
    let v1: HttpResponse | undefined
    try {
      v1 = await this.#client.request(new URL('_ping', this.indexUrl), request)
      await v1.discard()
    } catch (error) {
      if (!isWharfError(error) || error.code === 'ERR_ABORTED') throw error
      failure ??= error
    }
    if (v1?.status === 200) {
      this.version = 1
      const standalone = v1.headers.get('x-docker-registry-standalone')
      const registryVersion = v1.headers.get('x-docker-registry-version')
      return {
        version: 1,
        standalone: standalone === null || standalone === 'true' || standalone === '1',
        status: 200,
        headers: v1.headers,
        ...(registryVersion ? { registryVersion } : {}),
      }
    }
    throw new EndpointError(
      `${redactUrl(this.url)} is not a Docker registry: /v2/ answered ${v2?.status ?? 'nothing'}, /v1/_ping answered ${v1?.status ?? 'nothing'}`,
      { cause: failure },
    )
  }
}

function parseUrl(input: string, what: string): URL {
  let url: URL
  try {
    url = new URL(input)
  } catch {
    throw new InvalidArgumentError(
      `${what}: not a URL or host[:port]: ${JSON.stringify(input.slice(0, 200))}`,
    )
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError(
      `${what}: only http and https are supported, got ${url.protocol}`,
    )
  }
  if (url.username || url.password) {
    throw new InvalidArgumentError(
      `${what}: credentials do not belong in the address (${redactUrl(url)})`,
    )
  }
  return url
}

/**
 * An endpoint for `docker.io` (Hub), a `host[:port]` (https unless `plainHttp`) or a URL
 * (`/v1/` or `/v2/` suffixes dropped). Hub's V2 API is at `registry-1.docker.io`, its index
 * at `index.docker.io/v1/`.
 */
export function createEndpoint(hostOrUrl: string, options: EndpointOptions = {}): Endpoint {
  if (typeof hostOrUrl !== 'string') throw new InvalidArgumentError('endpoint: expected a string')
  if (isHubAddress(hostOrUrl)) {
    const hub = { ...HUB, ...options.hub }
    return new Endpoint(
      parseUrl(hub.registry, 'hub registry'),
      parseUrl(hub.index, 'hub index'),
      true,
      options,
    )
  }
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(hostOrUrl)
  const url = parseUrl(
    hasScheme ? hostOrUrl : `${options.plainHttp ? 'http' : 'https'}://${hostOrUrl}`,
    'endpoint',
  )
  if (!hasScheme && (url.pathname !== '/' || url.search || url.hash)) {
    throw new InvalidArgumentError(
      `endpoint: ${JSON.stringify(hostOrUrl.slice(0, 200))} is not a host[:port]`,
    )
  }
  url.pathname = url.pathname.replace(/\/v[12]\/?$/, '/').replace(/\/?$/, '/')
  url.search = ''
  url.hash = ''
  return new Endpoint(url, new URL('v1/', url), false, options)
}
