export { isTransient } from './attempts.js'
export { type ChunkedAdapter, type ChunkedOptions, chunkedUpload } from './chunked.js'
export { Digest, type DigestAlgorithm, isDigestAlgorithm, parseDigest } from './digest.js'
export {
  DEFAULT_PART_SIZE,
  type DownloadOptions,
  downloadStream,
} from './download.js'
export {
  DigestMismatchError,
  InvalidDigestError,
  RangeResponseError,
  SizeMismatchError,
  TransferOptionsError,
} from './errors.js'
export {
  createHasher,
  defaultHashBackend,
  digestOf,
  type HashBackend,
  type Hasher,
  hashStream,
} from './hash.js'
export {
  type CompletedPart,
  type MultipartAdapter,
  type MultipartOptions,
  multipartUpload,
  type UploadPart,
} from './multipart.js'
export { type ProgressEvent, type ProgressListener, throttleProgress } from './progress.js'
export {
  type ContentRange,
  type FetchRange,
  parseContentRange,
  type RangeResponse,
  rangeHeader,
} from './ranges.js'
export type { UploadSource } from './source.js'
export {
  type VerifyingStream,
  type VerifyOptions,
  verifyingStream,
  verifyStream,
} from './verify.js'
export { VERSION } from './version.js'
