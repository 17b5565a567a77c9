export type { ProgressEvent, ProgressListener, UploadSource } from '@wharf/transfer'
export { LibraryApi, libraryErrorParser, storageErrorParser } from './api.js'
export { API_VERSION_V2_ARCH_TAGS, API_VERSION_V2_UPLOAD, compareVersions } from './api-version.js'
export {
  createLibraryClient,
  DEFAULT_BASE_URL,
  type ImageOptions,
  LibraryClient,
  type LibraryClientOptions,
  type SearchOptions,
  type SignalOptions,
} from './client.js'
export {
  ForbiddenError,
  LibraryError,
  NotFoundError,
  QuotaExceededError,
  RefError,
  type RefErrorCode,
  UnauthorizedError,
} from './errors.js'
export { LIBRARY_MODELS, libraryUri } from './model-uri.js'
export type * from './models.js'
export type { ConcurrentDownloadOptions, DownloadOptions } from './pull.js'
export { MULTIPART_THRESHOLD, type UploadOptions } from './push.js'
export {
  formatLibraryRef,
  type LibraryRef,
  libraryRefHostname,
  libraryRefPort,
  parseAmbiguousLibraryRef,
  parseLibraryRef,
  SCHEME,
} from './reference.js'
export type { ImageRefInput } from './refs.js'
export { MAX_PART_SIZE, OPTION_S3_COMPLIANT, retryablePartError } from './upload-file.js'
export {
  isImageHash,
  isLibraryPullRef,
  isLibraryPushRef,
  isRefPart,
  type LibraryPath,
  parseLibraryPath,
} from './validate.js'
export { VERSION } from './version.js'
