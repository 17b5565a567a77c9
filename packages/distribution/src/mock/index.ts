export type { Access, Need } from './auth.js'
export type { MockFaults } from './faults.js'
export {
  DEFAULT_MANIFEST_TYPES,
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  type ManifestTypeRule,
  OCI_INDEX,
  OCI_MANIFEST,
} from './media-types.js'
export {
  type AccessPolicy,
  DISTRIBUTION_2_8,
  type MockAuth,
  type MockQuirks,
  type MockRegistryOptions,
  type ScopeResource,
} from './options.js'
export {
  createMockRegistry,
  type InspectedManifest,
  type ListeningRegistry,
  type LoggedRequest,
  type MockRegistry,
} from './registry.js'
