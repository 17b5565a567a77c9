import { ParseError } from '@wharf/core-http'
import {
  InvalidIndexError,
  InvalidManifestError,
  UnknownMediaTypeError,
  type ValidationIssue,
} from './errors.js'
import { isValidDigest } from './reference.js'
import {
  DEFAULT_ACCEPT,
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
  isIndexType,
  type Manifest,
} from './types.js'

const MEDIA_TYPE =
  /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function checkStringMap(value: unknown, path: string, issues: ValidationIssue[]): void {
  if (value === undefined) return
  if (!isObject(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    issues.push({ path, message: 'must be an object of strings' })
  }
}

function checkMediaType(
  value: unknown,
  path: string,
  issues: ValidationIssue[],
  required: boolean,
): void {
  if (value === undefined && !required) return
  if (typeof value !== 'string' || !MEDIA_TYPE.test(value)) {
    issues.push({
      path,
      message:
        value === undefined ? 'is required' : `is not a media type: ${JSON.stringify(value)}`,
    })
  }
}

/** Checks one descriptor's shape; appends problems to `issues`. */
export function checkDescriptor(value: unknown, path: string, issues: ValidationIssue[]): void {
  if (!isObject(value)) {
    issues.push({ path, message: 'must be a descriptor object' })
    return
  }
  checkMediaType(value.mediaType, `${path}.mediaType`, issues, true)
  if (typeof value.digest !== 'string' || !isValidDigest(value.digest)) {
    issues.push({
      path: `${path}.digest`,
      message: `is not a valid digest: ${JSON.stringify(value.digest)}`,
    })
  }
  if (!Number.isSafeInteger(value.size) || (value.size as number) < 0) {
    issues.push({
      path: `${path}.size`,
      message: `must be a non-negative integer, got ${JSON.stringify(value.size)}`,
    })
  }
  if (
    value.urls !== undefined &&
    !(Array.isArray(value.urls) && value.urls.every((u) => typeof u === 'string'))
  ) {
    issues.push({ path: `${path}.urls`, message: 'must be an array of strings' })
  }
  if (value.data !== undefined && !(typeof value.data === 'string' && BASE64.test(value.data))) {
    issues.push({ path: `${path}.data`, message: 'must be base64' })
  }
  checkMediaType(value.artifactType, `${path}.artifactType`, issues, false)
  checkStringMap(value.annotations, `${path}.annotations`, issues)
  if (value.platform !== undefined) {
    const p = value.platform
    if (!isObject(p) || typeof p.architecture !== 'string' || typeof p.os !== 'string') {
      issues.push({ path: `${path}.platform`, message: 'needs string "architecture" and "os"' })
    }
  }
}

function checkCommon(
  value: Record<string, unknown>,
  mediaType: string,
  issues: ValidationIssue[],
): void {
  if (value.schemaVersion !== 2) {
    issues.push({
      path: 'schemaVersion',
      message: `must be 2, got ${JSON.stringify(value.schemaVersion)}`,
    })
  }
  if (value.mediaType !== undefined && value.mediaType !== mediaType) {
    issues.push({
      path: 'mediaType',
      message: `${JSON.stringify(value.mediaType)} differs from the content type ${mediaType}`,
    })
  }
  checkMediaType(value.artifactType, 'artifactType', issues, false)
  if (value.subject !== undefined) checkDescriptor(value.subject, 'subject', issues)
  checkStringMap(value.annotations, 'annotations', issues)
}

/** Validates an image manifest against the image-spec schema; throws InvalidManifestError naming each bad field. */
export function validateManifest(value: unknown, mediaType: string): ImageManifest {
  if (!isObject(value))
    throw new InvalidManifestError([{ path: '', message: 'must be a JSON object' }])
  const issues: ValidationIssue[] = []
  checkCommon(value, mediaType, issues)
  if (value.manifests !== undefined)
    issues.push({ path: 'manifests', message: 'is not allowed in an image manifest' })
  checkDescriptor(value.config, 'config', issues)
  if (!Array.isArray(value.layers))
    issues.push({ path: 'layers', message: 'must be an array of descriptors' })
  else
    for (const [i, layer] of value.layers.entries()) checkDescriptor(layer, `layers[${i}]`, issues)
  if (issues.length) throw new InvalidManifestError(issues)
  return value as unknown as ImageManifest
}

/** Validates an image index against the image-spec schema; throws InvalidIndexError naming each bad field. */
export function validateIndex(value: unknown, mediaType: string): ImageIndex {
  if (!isObject(value))
    throw new InvalidIndexError([{ path: '', message: 'must be a JSON object' }])
  const issues: ValidationIssue[] = []
  checkCommon(value, mediaType, issues)
  for (const field of ['config', 'layers']) {
    if (value[field] !== undefined)
      issues.push({ path: field, message: 'is not allowed in an index' })
  }
  if (!Array.isArray(value.manifests))
    issues.push({ path: 'manifests', message: 'must be an array of descriptors' })
  else for (const [i, m] of value.manifests.entries()) checkDescriptor(m, `manifests[${i}]`, issues)
  if (issues.length) throw new InvalidIndexError(issues)
  return value as unknown as ImageIndex
}

/** The media type of a manifest body: the `Content-Type` (parameters dropped), else its `mediaType` field. */
export function manifestMediaType(contentType: string | null | undefined, body: unknown): string {
  const header = (contentType ?? '').split(';')[0]!.trim().toLowerCase()
  if (header && header !== 'application/json' && header !== 'text/plain') return header
  const field = isObject(body) ? body.mediaType : undefined
  return typeof field === 'string' ? field : header
}

/**
 * Parses and validates manifest bytes: JSON, a known media type (OCI / Docker manifest or
 * index), and the schema. Throws ParseError, UnknownMediaTypeError or a SchemaValidationError.
 */
export function parseManifest(
  bytes: Uint8Array,
  contentType?: string | null,
): { mediaType: string; manifest: Manifest } {
  let value: unknown
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch (error) {
    throw new ParseError('manifest', `not valid JSON (${(error as Error).message})`, {
      cause: error,
    })
  }
  const mediaType = manifestMediaType(contentType, value)
  if (!DEFAULT_ACCEPT.includes(mediaType)) throw new UnknownMediaTypeError(mediaType || '(none)')
  const manifest = isIndexType(mediaType)
    ? validateIndex(value, mediaType)
    : validateManifest(value, mediaType)
  return { mediaType, manifest }
}

/** Every descriptor a manifest points at: an index's manifests, or an image's config and layers. */
export function childDescriptors(manifest: Manifest): Descriptor[] {
  return 'manifests' in manifest ? manifest.manifests : [manifest.config, ...manifest.layers]
}
