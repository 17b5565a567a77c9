import { type ErrorEntry, entry } from './errors.js'
import { isDigest } from './grammar.js'
import { essence, type ManifestTypeRule } from './media-types.js'

/** A descriptor as found in a manifest. */
export interface Descriptor {
  mediaType: string
  digest: string
  size: number
  urls?: string[]
}

/** What the registry needs to know about a pushed manifest. */
export interface ManifestInfo {
  kind: 'manifest' | 'index'
  mediaType: string
  /** Blobs (config, layers) the manifest references. */
  blobs: Descriptor[]
  /** Child manifests an index references. */
  manifests: Descriptor[]
  subject?: string
  /** `artifactType`, else (image manifests) `config.mediaType`. */
  artifactType?: string
  annotations?: Record<string, string>
}

type Json = Record<string, unknown>

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const invalid = (field: string, problem: string): ErrorEntry =>
  entry('MANIFEST_INVALID', `manifest invalid: ${field} ${problem}`, { field })

function descriptor(value: unknown, field: string): Descriptor | ErrorEntry {
  if (!isObject(value)) return invalid(field, 'must be a descriptor object')
  if (typeof value.mediaType !== 'string' || !value.mediaType) {
    return invalid(`${field}.mediaType`, 'must be a non-empty string')
  }
  if (typeof value.digest !== 'string' || !isDigest(value.digest)) {
    return invalid(`${field}.digest`, 'must be a digest')
  }
  if (typeof value.size !== 'number' || !Number.isSafeInteger(value.size) || value.size < 0) {
    return invalid(`${field}.size`, 'must be a non-negative integer')
  }
  const urls = Array.isArray(value.urls) ? value.urls.filter((u) => typeof u === 'string') : []
  return {
    mediaType: value.mediaType,
    digest: value.digest,
    size: value.size,
    ...(urls.length ? { urls } : {}),
  }
}

function descriptors(value: unknown, field: string): Descriptor[] | ErrorEntry {
  if (!Array.isArray(value)) return invalid(field, 'must be an array')
  const out: Descriptor[] = []
  for (const [i, item] of value.entries()) {
    const d = descriptor(item, `${field}[${i}]`)
    if ('code' in d) return d
    out.push(d)
  }
  return out
}

function checkAnnotations(value: unknown): ErrorEntry | undefined {
  if (value === undefined) return undefined
  if (!isObject(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    return invalid('annotations', 'must map strings to strings')
  }
  return undefined
}

/**
 * Parses and checks a pushed manifest: JSON object, schemaVersion 2, a known media type
 * (from `Content-Type`, else the `mediaType` field) that agrees with the `mediaType` field,
 * and well-formed descriptors. Returns what the registry stores, or a `MANIFEST_INVALID` entry.
 */
export function inspectManifest(
  bytes: Uint8Array,
  contentType: string | null,
  types: Readonly<Record<string, ManifestTypeRule>>,
): ManifestInfo | ErrorEntry {
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    return entry('MANIFEST_INVALID', 'manifest invalid: body is not UTF-8 JSON')
  }
  if (!isObject(json)) return invalid('body', 'must be a JSON object')
  const field = typeof json.mediaType === 'string' ? json.mediaType : undefined
  if (json.mediaType !== undefined && field === undefined) {
    return invalid('mediaType', 'must be a string')
  }
  const mediaType = essence(contentType) || field
  if (!mediaType) return invalid('mediaType', 'is missing and no Content-Type was sent')
  const rule = types[mediaType]
  if (!rule) return invalid('Content-Type', `${JSON.stringify(mediaType)} is not a manifest type`)
  if (field !== undefined && field !== mediaType) {
    return invalid('mediaType', `${JSON.stringify(field)} differs from Content-Type ${mediaType}`)
  }
  if (rule.requiresMediaTypeField && field === undefined) return invalid('mediaType', 'is required')
  if (json.schemaVersion !== 2) return invalid('schemaVersion', 'must be 2')
  if (json.artifactType !== undefined && typeof json.artifactType !== 'string') {
    return invalid('artifactType', 'must be a string')
  }
  const badAnnotations = checkAnnotations(json.annotations)
  if (badAnnotations) return badAnnotations
  const notes = json.annotations as Record<string, string> | undefined
  let subject: string | undefined
  if (json.subject !== undefined) {
    const d = descriptor(json.subject, 'subject')
    if ('code' in d) return d
    subject = d.digest
  }
  const common = {
    mediaType,
    ...(subject ? { subject } : {}),
    ...(notes && Object.keys(notes).length ? { annotations: notes } : {}),
  }
  if (rule.kind === 'index') {
    if (json.config !== undefined || json.layers !== undefined) {
      return invalid('config/layers', 'must not appear in an index')
    }
    const manifests = descriptors(json.manifests, 'manifests')
    if ('code' in manifests) return manifests
    const artifactType = json.artifactType || undefined
    return {
      kind: 'index',
      blobs: [],
      manifests,
      ...common,
      ...(artifactType ? { artifactType: artifactType as string } : {}),
    }
  }
  if (json.manifests !== undefined) return invalid('manifests', 'must not appear in a manifest')
  const config = descriptor(json.config, 'config')
  if ('code' in config) return config
  const layers = descriptors(json.layers, 'layers')
  if ('code' in layers) return layers
  return {
    kind: 'manifest',
    blobs: [config, ...layers],
    manifests: [],
    ...common,
    artifactType: (json.artifactType as string) || config.mediaType,
  }
}
