export { type AuthConfig, credentialsOf } from './auth-config.js'
export {
  type APIVersion,
  APIVersion1,
  APIVersion2,
  apiVersionString,
  createEndpoint,
  Endpoint,
  type EndpointOptions,
  type RegistryInfo,
} from './endpoint.js'
export {
  dockerErrorParser,
  EndpointError,
  ImageExistsError,
  InvalidArgumentError,
  LoginError,
  RepositoryNotFoundError,
} from './errors.js'
export type { TransportOptions } from './http.js'
export {
  DEFAULT_DOMAIN,
  HUB,
  HUB_REGISTRY,
  type HubOrigins,
  INDEX_SERVER,
  isHubAddress,
  LEGACY_DEFAULT_DOMAIN,
  OFFICIAL_NAMESPACE,
} from './hub.js'
export { type LoginOptions, type LoginResult, login } from './login.js'
export {
  DOCKER_ACCEPT,
  DOCKER_ACCEPT_WITH_SCHEMA1,
  DockerMediaType,
  type FSLayer,
  isSchema1Type,
  type ManifestData,
  type ManifestHistory,
  type ParsedSchema1,
  parseSchema1,
  SCHEMA1_TYPES,
  type Schema1Manifest,
  schema1Payload,
  type V1Compatibility,
} from './manifests.js'
export {
  authConfigKey,
  DigestReference,
  familiarName,
  familiarString,
  indexServerAddress,
  NormalizedName,
  parseAnyReference,
  parseDockerRef,
  parseNormalizedName,
  type RepositoryName,
  resolveRepositoryName,
  splitDockerDomain,
} from './names.js'
export { parseRateLimit, type RateLimit } from './ratelimit.js'
export {
  parseSearchResults,
  type SearchOptions,
  type SearchResult,
  type SearchResults,
  splitSearchTerm,
} from './search.js'
export { createService, Service } from './service.js'
export { createSession, Session } from './session.js'
export type { SessionOptions } from './session-base.js'
export { V1Session } from './v1.js'
export { V1IndexSession } from './v1-index.js'
export type {
  ImgData,
  LayerOptions,
  RemoteImageJSON,
  RepositoryData,
  V1CallOptions,
} from './v1-wire.js'
export { type GetV2ManifestOptions, type V2Manifest, V2Session } from './v2.js'
export { VERSION } from './version.js'
