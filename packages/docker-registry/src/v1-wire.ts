/** Types and checks shared by the V1 index and registry calls. */
import { InvalidArgumentError } from './errors.js'

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

/** A V1 image id: 64 lower-case hex characters. */
export const ID = /^[a-f0-9]{64}$/
/** Largest V1 JSON body read (image JSON, lists, ancestry). */
export const JSON_LIMIT = 4 * 1024 * 1024

/** Throws InvalidArgumentError unless `id` is a V1 image id. */
export function checkId(id: string): void {
  if (typeof id !== 'string' || !ID.test(id)) {
    throw new InvalidArgumentError(
      `image id must be 64 lower-case hex characters, got ${JSON.stringify(String(id).slice(0, 80))}`,
    )
  }
}

/** `path` under a V1 registry base URL (`https://host/v1/`); InvalidArgumentError for a bad base. */
export function registryUrl(registry: string, path: string): URL {
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

/** Returns a V1 repository name (`[namespace/]name`, lower case) or throws InvalidArgumentError. */
export function checkName(name: string): string {
  if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)?$/.test(name)) {
    throw new InvalidArgumentError(
      `V1 repository names are [namespace/]name in lower case, got ${JSON.stringify(String(name).slice(0, 200))}`,
    )
  }
  return name
}

/** Splits `X-Docker-Token` values (fetch joins repeated headers with ", "). */
export function splitTokens(value: string | null): string[] {
  return value
    ? value
        .split(/,\s+(?=signature=)/)
        .map((t) => t.trim())
        .filter(Boolean)
    : []
}

/** The index's image list (`[{id, checksum?, Tag?}]`) by id; malformed entries are skipped. */
export function imageList(value: unknown): Map<string, ImgData> {
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
