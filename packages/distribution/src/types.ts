/** Media types of the image spec and their Docker equivalents. */
export const MediaType = {
  ImageManifest: 'application/vnd.oci.image.manifest.v1+json',
  ImageIndex: 'application/vnd.oci.image.index.v1+json',
  ImageConfig: 'application/vnd.oci.image.config.v1+json',
  ImageLayer: 'application/vnd.oci.image.layer.v1.tar',
  ImageLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  Empty: 'application/vnd.oci.empty.v1+json',
  LayoutHeader: 'application/vnd.oci.layout.header.v1+json',
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  DockerConfig: 'application/vnd.docker.container.image.v1+json',
  DockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const

/** Manifest media types whose body is an image manifest (config + layers). */
export const MANIFEST_TYPES: readonly string[] = [MediaType.ImageManifest, MediaType.DockerManifest]
/** Manifest media types whose body is an index (a list of manifests). */
export const INDEX_TYPES: readonly string[] = [MediaType.ImageIndex, MediaType.DockerManifestList]
/** Every manifest media type the client accepts by default. */
export const DEFAULT_ACCEPT: readonly string[] = [...INDEX_TYPES, ...MANIFEST_TYPES]

/** Where an image runs: the `platform` of an index entry. */
export interface Platform {
  architecture: string
  os: string
  'os.version'?: string
  'os.features'?: string[]
  variant?: string
  features?: string[]
}

/** A content descriptor: what, where (digest) and how big. */
export interface Descriptor {
  mediaType: string
  digest: string
  size: number
  urls?: string[]
  annotations?: Record<string, string>
  data?: string
  artifactType?: string
  platform?: Platform
}

/** An OCI image manifest (or Docker schema2 manifest). */
export interface ImageManifest {
  schemaVersion: 2
  mediaType?: string
  artifactType?: string
  config: Descriptor
  layers: Descriptor[]
  subject?: Descriptor
  annotations?: Record<string, string>
}

/** An OCI image index (or Docker manifest list). */
export interface ImageIndex {
  schemaVersion: 2
  mediaType?: string
  artifactType?: string
  manifests: Descriptor[]
  subject?: Descriptor
  annotations?: Record<string, string>
}

/** A manifest or an index. */
export type Manifest = ImageManifest | ImageIndex

/** True when the media type names an index (OCI index or Docker manifest list). */
export function isIndexType(mediaType: string): boolean {
  return INDEX_TYPES.includes(mediaType)
}

/** True when the media type names an image manifest (OCI or Docker schema2). */
export function isManifestType(mediaType: string): boolean {
  return MANIFEST_TYPES.includes(mediaType)
}
