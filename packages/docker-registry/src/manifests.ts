import { ParseError } from '@wharf/core-http'
import { InvalidManifestError, MediaType, type ValidationIssue } from '@wharf/distribution'
import { type Digest, digestOf } from '@wharf/transfer'

/** Docker's media types (image spec compatibility matrix). */
export const DockerMediaType = {
  /** Image manifest, schema 2. */
  ManifestV2: 'application/vnd.docker.distribution.manifest.v2+json',
  /** Manifest list ("fat manifest"). */
  ManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  /** Schema 1, unsigned. */
  ManifestV1: 'application/vnd.docker.distribution.manifest.v1+json',
  /** Schema 1, signed (JWS). */
  ManifestV1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  ImageConfig: 'application/vnd.docker.container.image.v1+json',
  Layer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  LayerUncompressed: 'application/vnd.docker.image.rootfs.diff.tar',
  /** Foreign layer: fetched from its `urls`, never pushed. */
  ForeignLayer: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  PluginConfig: 'application/vnd.docker.plugin.v1+json',
} as const

/** The schema 1 media types. */
export const SCHEMA1_TYPES: readonly string[] = [
  DockerMediaType.ManifestV1Signed,
  DockerMediaType.ManifestV1,
]

/** What a Docker pull asks for: lists and indexes first, then schema 2 / OCI manifests. */
export const DOCKER_ACCEPT: readonly string[] = [
  DockerMediaType.ManifestList,
  DockerMediaType.ManifestV2,
  MediaType.ImageIndex,
  MediaType.ImageManifest,
]

/** {@link DOCKER_ACCEPT} plus the schema 1 types, as older engines sent it. */
export const DOCKER_ACCEPT_WITH_SCHEMA1: readonly string[] = [...DOCKER_ACCEPT, ...SCHEMA1_TYPES]

/** One layer of a schema 1 manifest. */
export interface FSLayer {
  blobSum: string
}

/** One history entry of a schema 1 manifest: a V1 image JSON as a string. */
export interface ManifestHistory {
  v1Compatibility: string
}

/** A legacy schema 1 manifest; `fsLayers[0]` and `history[0]` are the top (newest) layer. */
export interface Schema1Manifest {
  schemaVersion: 1
  name: string
  tag: string
  architecture?: string
  fsLayers: FSLayer[]
  history: ManifestHistory[]
  /** JWS signatures (signed form only). */
  signatures?: unknown[]
}

/** The seed's name for a schema 1 manifest. */
export type ManifestData = Schema1Manifest

/** A V1 image JSON as found in `v1Compatibility`. */
export interface V1Compatibility {
  id: string
  parent?: string
  created?: string
  /** True for layers without filesystem changes. */
  throwaway?: boolean
  [key: string]: unknown
}

/** A parsed schema 1 manifest with its digest and layers in pull order (base first). */
export interface ParsedSchema1 {
  manifest: Schema1Manifest
  mediaType: string
  /** True when the manifest carries JWS signatures. */
  signed: boolean
  /** The signed payload (the manifest without `signatures`); the body itself when unsigned. */
  payload: Uint8Array
  /** sha256 of `payload`: what registries report as `Docker-Content-Digest`. */
  digest: Digest
  /** Layers base first, each with its V1 image JSON. */
  layers: Array<{ digest: string; v1Compatibility: V1Compatibility }>
}

const decoder = new TextDecoder('utf-8', { fatal: true })

function base64UrlBytes(text: string, where: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(text)) {
    throw new InvalidManifestError([{ path: where, message: 'is not base64url' }])
  }
  const std = text.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/')
  return Uint8Array.from(atob(std.padEnd(Math.ceil(std.length / 4) * 4, '=')), (c) =>
    c.charCodeAt(0),
  )
}

/**
 * The JWS payload of a signed schema 1 manifest: all signatures' protected headers must agree
 * on `formatLength` and `formatTail`; the payload is the first `formatLength` bytes of the body
 * followed by the decoded tail.
 */
export function schema1Payload(bytes: Uint8Array, signatures: unknown[]): Uint8Array {
  let length: number | undefined
  let tail: string | undefined
  for (const [i, s] of signatures.entries()) {
    const where = `signatures[${i}].protected`
    const encoded = (s as { protected?: unknown })?.protected
    if (typeof encoded !== 'string')
      throw new InvalidManifestError([{ path: where, message: 'is missing' }])
    let header: { formatLength?: unknown; formatTail?: unknown }
    try {
      header = JSON.parse(decoder.decode(base64UrlBytes(encoded, where)))
    } catch (error) {
      if (error instanceof InvalidManifestError) throw error
      throw new InvalidManifestError([{ path: where, message: 'is not a JSON object' }])
    }
    const { formatLength, formatTail } = header ?? {}
    if (!Number.isSafeInteger(formatLength) || typeof formatTail !== 'string') {
      throw new InvalidManifestError([
        { path: where, message: 'needs formatLength and formatTail' },
      ])
    }
    if (length !== undefined && (formatLength !== length || formatTail !== tail)) {
      throw new InvalidManifestError([
        { path: where, message: 'disagrees with the other signatures on the format' },
      ])
    }
    length = formatLength as number
    tail = formatTail
  }
  const end = base64UrlBytes(tail!, 'signatures[0].protected.formatTail')
  if (length! < 0 || length! > bytes.byteLength) {
    throw new InvalidManifestError([
      { path: 'signatures[0].protected.formatLength', message: 'is outside the body' },
    ])
  }
  const payload = new Uint8Array(length! + end.byteLength)
  payload.set(bytes.subarray(0, length))
  payload.set(end, length)
  return payload
}

/**
 * Parses and checks a schema 1 manifest (signed or not): equal-length `fsLayers` and
 * `history`, sha256 blob sums, `v1Compatibility` strings holding image JSON with an `id`.
 * The digest of a signed manifest is computed over its JWS payload, as registries do.
 */
export function parseSchema1(bytes: Uint8Array, mediaType?: string | null): ParsedSchema1 {
  let value: any
  try {
    value = JSON.parse(decoder.decode(bytes))
  } catch (error) {
    throw new ParseError('schema 1 manifest', `not valid JSON (${(error as Error).message})`, {
      cause: error,
    })
  }
  const issues: ValidationIssue[] = []
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidManifestError([{ path: '', message: 'must be a JSON object' }])
  }
  if (value.schemaVersion !== 1) issues.push({ path: 'schemaVersion', message: 'must be 1' })
  if (typeof value.name !== 'string') issues.push({ path: 'name', message: 'must be a string' })
  if (typeof value.tag !== 'string') issues.push({ path: 'tag', message: 'must be a string' })
  const fsLayers: unknown[] = Array.isArray(value.fsLayers) ? value.fsLayers : []
  const history: unknown[] = Array.isArray(value.history) ? value.history : []
  if (!fsLayers.length) issues.push({ path: 'fsLayers', message: 'must be a non-empty array' })
  if (fsLayers.length !== history.length) {
    issues.push({
      path: 'history',
      message: `has ${history.length} entries for ${fsLayers.length} fsLayers`,
    })
  }
  const layers: ParsedSchema1['layers'] = []
  for (const [i, layer] of fsLayers.entries()) {
    const sum = (layer as FSLayer)?.blobSum
    if (typeof sum !== 'string' || !/^sha256:[a-f0-9]{64}$/.test(sum)) {
      issues.push({ path: `fsLayers[${i}].blobSum`, message: 'must be a sha256 digest' })
      continue
    }
    const raw = (history[i] as ManifestHistory | undefined)?.v1Compatibility
    let v1: V1Compatibility | undefined
    try {
      v1 = typeof raw === 'string' ? JSON.parse(raw) : undefined
    } catch {
      v1 = undefined
    }
    if (!v1 || typeof v1 !== 'object' || typeof v1.id !== 'string') {
      issues.push({
        path: `history[${i}].v1Compatibility`,
        message: 'must be a JSON string of an image with an id',
      })
      continue
    }
    layers.unshift({ digest: sum, v1Compatibility: v1 })
  }
  if (issues.length) throw new InvalidManifestError(issues)
  const signed = Array.isArray(value.signatures) && value.signatures.length > 0
  const payload = signed ? schema1Payload(bytes, value.signatures) : bytes
  const type = (mediaType ?? '').split(';')[0]!.trim()
  return {
    manifest: value as Schema1Manifest,
    mediaType: SCHEMA1_TYPES.includes(type)
      ? type
      : signed
        ? DockerMediaType.ManifestV1Signed
        : DockerMediaType.ManifestV1,
    signed,
    payload,
    digest: digestOf(payload),
    layers,
  }
}

/** True for the schema 1 media types. */
export function isSchema1Type(mediaType: string | null | undefined): boolean {
  return SCHEMA1_TYPES.includes((mediaType ?? '').split(';')[0]!.trim())
}
