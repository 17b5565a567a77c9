export type { BlobContext, BlobSource } from './blobs.js'
export { type IterateOptions, ProvisionClient, tokenSession, userSession } from './client.js'
export {
  type ErrorBody,
  InvalidFilterError,
  ModelError,
  PatchConflictError,
  ProvisionAuthError,
  ProvisionError,
  RequestBuildError,
  UnexpectedContentError,
} from './errors.js'
export {
  type EventContext,
  EventStream,
  EventStreamError,
  type EventStreamOptions,
  matchesPattern,
  Registration,
  type WebSocketClass,
  type WebSocketLike,
} from './events.js'
export {
  type CompareOp,
  FilterBuilder,
  filterBuilder,
  filterQuery,
  type RangeOp,
} from './filter.js'
export type { JobContext } from './jobs.js'
export { ipv4ToHex, isPrefix, keyOf, modelPrefix } from './keys.js'
export * from './models.js'
export { genPatch, type JsonPatch } from './patch.js'
export { API_PATH, apiPath } from './paths.js'
export { Req, type RequestContext } from './request.js'
export {
  PROVISION_RETRY,
  type SessionOptions,
  type UserSessionOptions,
} from './session.js'
export { VERSION } from './version.js'
export {
  andItems,
  equalItem,
  notItem,
  orItems,
  type TestFunc,
  type WaitOptions,
  type WaitResult,
  waitFor,
} from './wait.js'
export { DecodeError, decodeYaml, type PrettyFormat, pretty } from './yaml.js'
