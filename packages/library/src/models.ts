/** Audit fields every library record carries (the seed's `BaseModel`). */
export interface BaseModel {
  deleted: boolean
  createdBy: string
  /** RFC 3339; `0001-01-01T00:00:00Z` when unset. */
  createdAt: string
  updatedBy?: string
  updatedAt?: string
  deletedBy?: string
  deletedAt?: string
  owner?: string
}

/** A user or group: the top level of the library. */
export interface Entity extends BaseModel {
  id: string
  name: string
  description: string
  /** Collection ids (may be null). */
  collections: string[] | null
  size: number
  /** Storage quota in bytes. */
  quota: number
  defaultPrivate: boolean
  customData: string
}

/** The second level: a collection of containers inside an entity. */
export interface Collection extends BaseModel {
  id: string
  name: string
  description: string
  /** Entity id. */
  entity: string
  containers: string[] | null
  size: number
  private: boolean
  customData: string
  entityName?: string
}

/** Tag → image id (the seed's `TagMap`). */
export type TagMap = Record<string, string>

/** Architecture → tag → image id (the seed's `ArchTagMap`). */
export type ArchTagMap = Record<string, TagMap>

/** The third level: a container holding the images (versions) of one thing. */
export interface Container extends BaseModel {
  id: string
  name: string
  description: string
  fullDescription: string
  /** Collection id. */
  collection: string
  images: string[] | null
  /** Legacy tags without architecture. */
  imageTags: TagMap | null
  archTags: ArchTagMap | null
  size: number
  downloadCount: number
  stars: number
  private: boolean
  readOnly: boolean
  customData: string
  entity?: string
  entityName?: string
  collectionName?: string
}

/** One image file of a container, identified by its hash. */
export interface Image extends BaseModel {
  id: string
  /** `sha256.<hex>` or `sif.<uuid>`. */
  hash: string
  description: string
  /** Container id. */
  container: string
  blob?: string
  /** Bytes; the downloader relies on it. */
  size: number
  /** True once the file has been uploaded. */
  uploaded: boolean
  signed?: boolean
  arch?: string
  fingerprints?: string[]
  encrypted?: boolean
  customData: string
  entity?: string
  entityName?: string
  collection?: string
  collectionName?: string
  containerName?: string
  containerDescription?: string
  tags?: string[]
  containerStars: number
  containerDownloads: number
}

/** A stored file object (declared by the protocol; the client never uses it). */
export interface Blob extends BaseModel {
  id: string
  bucket: string
  key: string
  size: number
  contentHash: string
  status: string
}

/** What `search` finds, per kind of record. */
export interface SearchResults {
  entities: Entity[]
  collections: Collection[]
  containers: Container[]
  images: Image[]
}

/** `GET version`: the server's version and the API version the client gates features on. */
export interface VersionInfo {
  version: string
  apiVersion: string
}

/** Storage quota of the entity after an upload, in bytes. */
export interface Quota {
  quotaTotal: number
  quotaUsage: number
}

/** What a completed upload reports (the seed's `UploadImageComplete`). */
export interface UploadImageComplete {
  quota: Quota
  containerUrl: string
}

/** A v2 multipart upload as the server set it up (the seed's `MultipartUpload`). */
export interface MultipartUpload {
  uploadID: string
  totalParts: number
  partSize: number
  options?: Record<string, string> | null
}

/** One uploaded part listed when completing a multipart upload. */
export interface CompletedPart {
  partNumber: number
  /** The ETag the object store returned, verbatim. */
  token: string
}

/** The JSON envelope of every answer; the seed's `…Response` types are `Envelope<T>`. */
export interface Envelope<T> {
  data?: T
  error?: { code: number; message: string } | null
  page?: { prev?: string; next?: string; totalSize?: number }
}

/** Body of `POST v1/tags/<container>` (PascalCase keys, as the Go client sends them). */
export interface ImageTag {
  Tag: string
  ImageID: string
}

/** Body of `POST v2/tags/<container>`: a tag for one architecture. */
export interface ArchImageTag extends ImageTag {
  Arch: string
}

/** Body of `POST v2/imagefile/<id>`: starts a single presigned upload. */
export interface UploadImageRequest {
  filesize: number
  md5sum?: string
  sha256sum?: string
}

/** Answer to {@link UploadImageRequest}: where to PUT the file. */
export interface UploadImage {
  uploadURL: string
}

/** Body of `PUT v2/imagefile/<id>/_complete` (empty). */
export type UploadImageCompleteRequest = Record<string, never>

/** Body of `POST v2/imagefile/<id>/_multipart`. */
export interface MultipartUploadStartRequest {
  filesize: number
}

/** Body of `PUT v2/imagefile/<id>/_multipart`: asks for one part's presigned URL. */
export interface UploadImagePartRequest {
  partSize: number
  uploadID: string
  /** 1-based. */
  partNumber: number
  /** Hex SHA-256 of the part, `''` when the store is not S3 compliant. */
  sha256sum: string
}

/** Answer to {@link UploadImagePartRequest}. */
export interface UploadImagePart {
  presignedURL: string
}

/** Body of `PUT v2/imagefile/<id>/_multipart_complete`. */
export interface CompleteMultipartUploadRequest {
  uploadID: string
  completedParts: CompletedPart[]
}

/** Body of `PUT v2/imagefile/<id>/_multipart_abort`. */
export interface AbortMultipartUploadRequest {
  uploadID: string
}
