export type {
  ArchiveDownload,
  ArchiveFile,
  ArchiveFileOptions,
  ArchiveSource,
  UploadArchiveOptions,
} from './archive.js'
export {
  CHANNELS,
  type Channel,
  type ChannelledId,
  type CharmRef,
  InvalidChannelError,
  parseChannel,
  withChannel,
} from './channel.js'
export {
  type CallOptions,
  CharmStoreClient,
  type CharmStoreClientOptions,
  createCharmStoreClient,
  DEFAULT_MIN_MULTIPART_UPLOAD_SIZE,
  type DoOptions,
  JUJU_METADATA_HTTP_HEADER,
  jujuMetadataHeaders,
  SERVER_URL,
} from './client.js'
export {
  CharmStoreArgumentError,
  CharmStoreError,
  CharmStoreProtocolError,
  charmStoreErrorParser,
  ERR_UPLOAD_NOT_FOUND,
  ErrorCode,
  isAuthorizationError,
  isCharmStoreError,
  UploadNotFoundError,
} from './errors.js'
export {
  type CharmRevision,
  hyphenate,
  isNotFound,
  type MetaInclude,
  type MetaResponse,
  type MetaResult,
} from './meta.js'
export type * from './params.js'
export { partSizeFor, type ResourceData, type UploadResourceOptions } from './resources.js'
export {
  type CharmId,
  type CharmSchema,
  CharmURL,
  type CharmURLParts,
  InvalidCharmURLError,
  isValidName,
  isValidSeries,
  isValidUser,
  parseCharmURL,
  toCharmURL,
  withRevision,
} from './url.js'
export { VERSION } from './version.js'
export {
  type ArchiveLimits,
  InvalidArchiveError,
  listArchive,
  readArchive,
  readArchiveFile,
  safeArchivePath,
} from './zip.js'
