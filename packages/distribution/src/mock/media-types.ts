/** How the mock treats a manifest media type. */
export interface ManifestTypeRule {
  /** `manifest`: config + layers; `index`: a list of manifests. */
  kind: 'manifest' | 'index'
  /** The JSON must carry `mediaType` (Docker schema2 and manifest lists do). */
  requiresMediaTypeField: boolean
}

/** OCI image manifest media type. */
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
/** OCI image index media type (also the body type of referrers responses). */
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
/** Docker image manifest v2 schema 2. */
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json'
/** Docker manifest list. */
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json'

/**
 * Manifest media types accepted on PUT. Extend it with the `manifestTypes` option (a dialect
 * such as Docker's can add or override rules without touching the handlers).
 */
export const DEFAULT_MANIFEST_TYPES: Readonly<Record<string, ManifestTypeRule>> = {
  [OCI_MANIFEST]: { kind: 'manifest', requiresMediaTypeField: false },
  [OCI_INDEX]: { kind: 'index', requiresMediaTypeField: false },
  [DOCKER_MANIFEST]: { kind: 'manifest', requiresMediaTypeField: true },
  [DOCKER_MANIFEST_LIST]: { kind: 'index', requiresMediaTypeField: true },
}

/** The media type without parameters, lower-cased (`type/sub; charset=x` → `type/sub`). */
export function essence(contentType: string | null): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase()
}

/** True when an `Accept` header value (possibly several, comma-joined) admits `type`. */
export function accepts(accept: string | null, type: string): boolean {
  if (!accept) return false
  const [major] = type.split('/')
  return accept
    .split(',')
    .map(essence)
    .some((range) => range === type || range === '*/*' || range === `${major}/*`)
}
