export type { BlobInfo, BlobStream, GetBlobOptions } from './blobs.js'
export { catalog } from './catalog.js'
export {
  type CallOptions,
  createRegistryClient,
  type PingResult,
  RegistryClient,
  type RegistryClientOptions,
} from './client.js'
export type { ContentOptions, ContentStore, ContentTarget } from './content.js'
export { type CopyEvent, type CopyOptions, copy } from './copy.js'
export {
  BlobUnknownError,
  BlobUploadError,
  DeniedError,
  DigestInvalidError,
  InvalidIndexError,
  InvalidManifestError,
  ManifestBlobUnknownError,
  ManifestInvalidError,
  ManifestUnknownError,
  NameInvalidError,
  NameUnknownError,
  NotOciError,
  RegistryError,
  registryErrorParser,
  SchemaValidationError,
  SizeInvalidError,
  TooManyRequestsError,
  UnauthorizedError,
  UnknownMediaTypeError,
  UnsupportedError,
  type ValidationIssue,
} from './errors.js'
export type {
  DeleteManifestOptions,
  FetchedManifest,
  GetManifestOptions,
  GetManifestsOptions,
  PushedManifest,
  PutManifestOptions,
} from './manifests.js'
export { ContentNotFoundError, MemoryTarget } from './memory.js'
export {
  formatPlatform,
  matchPlatform,
  PlatformNotFoundError,
  type PlatformSpec,
  parsePlatform,
  selectPlatform,
} from './platform.js'
export {
  checkDigest,
  checkRepository,
  checkTag,
  formatReference,
  InvalidReferenceError,
  isValidDigest,
  isValidRepository,
  isValidTag,
  MAX_NAME_LENGTH,
  parseReference,
  type Reference,
  type ReferenceRule,
} from './reference.js'
export { type ReferrersOptions, referrersTag } from './referrers.js'
export { Repository, type RepositoryContext } from './repository.js'
export type { ListOptions } from './tags.js'
export {
  DEFAULT_ACCEPT,
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
  isIndexType,
  isManifestType,
  type Manifest,
  MediaType,
  type Platform,
} from './types.js'
export {
  type BlobSource,
  type MountBlobOptions,
  type PushBlobOptions,
  type PushedBlob,
  UploadLocationError,
} from './uploads.js'
export { childDescriptors, parseManifest, validateIndex, validateManifest } from './validate.js'
export { VERSION } from './version.js'
