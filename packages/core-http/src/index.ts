export {
  bodySize,
  isReplayable,
  type ReplayableBody,
  type RequestBody,
  replayableBody,
} from './body.js'
export {
  type ClientOptions,
  createHttpClient,
  defaultErrorParser,
  type FetchLike,
  HttpClient,
  type PaginateOptions,
  type RequestOptions,
  type SearchParams,
} from './client.js'
export {
  AbortError,
  type ApiErrorEntry,
  BodyTooLargeError,
  HttpError,
  type HttpErrorInit,
  isAbortError,
  isHttpError,
  isNetworkError,
  isTimeoutError,
  isWharfError,
  NetworkError,
  ParseError,
  RedirectError,
  TimeoutError,
  type TimeoutPhase,
  WharfError,
  type WharfErrorOptions,
} from './errors.js'
export type { AuthStrategy, ErrorParser, Hooks, OutgoingRequest, RetryInfo } from './hooks.js'
export { type Link, nextLink, parseLinkHeader } from './link.js'
export { isSensitiveHeader, REDACTED, redactHeaders, redactSecrets, redactUrl } from './redact.js'
export { DEFAULT_BODY_LIMIT, HttpResponse, type ReadOptions } from './response.js'
export {
  type Backoff,
  backoffDelay,
  DEFAULT_RETRY,
  parseRetryAfter,
  type RetryOptions,
  type RetryPolicy,
  resolveRetry,
} from './retry.js'
export {
  concatBytes,
  type GuardOptions,
  guardStream,
  readLimited,
  readPrefix,
  toWharfError,
} from './stream.js'
export { VERSION } from './version.js'
