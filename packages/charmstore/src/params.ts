import type { Channel } from './channel.js'

/** `id`, `promulgated-id`, `unpromulgated-id` meta. */
export interface IdResponse {
  Id: string
  User?: string
  Series?: string
  Name: string
  Revision: number
}

/** A relation declared by a charm. */
export interface Relation {
  Name: string
  Role: 'provider' | 'requirer' | 'peer'
  Interface: string
  Optional: boolean
  Limit: number
  Scope: 'global' | 'container'
}

/** `charm-metadata` meta (charm.Meta as JSON). */
export interface CharmMeta {
  Name: string
  Summary: string
  Description: string
  Subordinate: boolean
  Provides?: Record<string, Relation>
  Requires?: Record<string, Relation>
  Peers?: Record<string, Relation>
  Categories?: string[]
  Tags?: string[]
  SupportedSeries?: string[]
  /** name → declaration; `Type` 1 is a file, 2 an OCI image. */
  Resources?: Record<string, { Name: string; Type: number; Path: string; Description: string }>
  Terms?: string[]
  [key: string]: unknown
}

/** `bundle-metadata` meta (charm.BundleData as JSON; note the lower-case `applications`). */
export interface BundleData {
  applications: Record<string, { Charm: string; NumUnits?: number; [key: string]: unknown }>
  Machines?: Record<
    string,
    { Constraints: string; Annotations: Record<string, string>; Series: string }
  >
  Series?: string
  Relations?: string[][]
  Tags?: string[]
  Description?: string
  [key: string]: unknown
}

/** Download counts. */
export interface StatsCounts {
  Total: number
  Day: number
  Week: number
  Month: number
}

/** A resource's metadata (`params.Resource`); `Fingerprint` is base64 of the raw SHA-384. */
export interface Resource {
  Name: string
  Type: 'file' | 'oci-image'
  Path: string
  Description?: string
  /** -1 when nothing was uploaded (or published to the channel). */
  Revision: number
  Fingerprint: string | null
  Size: number
}

/** The typed value of each meta item, keyed by the camelCase name that hyphenates to it. */
export interface MetaTypes {
  archiveSize: { Size: number }
  archiveUploadTime: { UploadTime: string }
  bundleMachineCount: { Count: number }
  bundleUnitCount: { Count: number }
  bundleMetadata: BundleData
  bundlesContaining: Array<{ Id: string; Meta?: Record<string, unknown> }>
  canIngest: { CanIngest: boolean }
  canWrite: { CanWrite: boolean }
  charmActions: { ActionSpecs: Record<string, { Description: string; Params: unknown }> }
  charmConfig: { Options: Record<string, { Type: string; Description: string; Default: unknown }> }
  charmMetadata: CharmMeta
  charmMetrics: { Metrics: Record<string, { Type: string; Description: string }>; Plan: unknown }
  charmRelated: { Requires: Record<string, unknown>; Provides: Record<string, unknown> }
  commonInfo: Record<string, unknown>
  extraInfo: Record<string, unknown>
  hash: { Sum: string }
  hash256: { Sum: string }
  id: IdResponse
  idName: { Name: string }
  idRevision: { Revision: number }
  idSeries: { Series: string }
  idUser: { User: string }
  manifest: Array<{ Name: string; Size: number }>
  owner: { User: string }
  perm: { Read: string[]; Write: string[] }
  promulgated: { Promulgated: boolean }
  promulgatedId: IdResponse
  published: { Info: Array<{ Channel: Channel; Current: boolean }> }
  resources: Resource[]
  revisionInfo: { Revisions: string[] }
  stats: {
    ArchiveDownloadCount: number
    ArchiveDownload: StatsCounts
    ArchiveDownloadAllRevisions: StatsCounts
  }
  supportedSeries: { SupportedSeries: string[] }
  tags: { Tags: string[] }
  terms: string[]
  unpromulgatedId: IdResponse
}

/** Credentials and image name for a docker resource (`params.DockerInfoResponse`). */
export interface DockerInfo {
  ImageName: string
  Username?: string
  Password?: string
}

/** `whoami` reply. */
export interface WhoAmIResponse {
  User: string
  Groups: string[]
}

/** Log levels accepted by `/log`. */
export type LogLevel = 'info' | 'warning' | 'error'
/** Log types accepted by `/log`. */
export type LogType = 'ingestion' | 'legacyStatistics'

/** One statistics update entry. */
export interface StatsUpdateEntry {
  /** RFC 3339 time. */
  Timestamp: string
  Type: 'deploy' | 'download' | 'traffic'
  CharmReference: string
}

/** `PUT /stats/update` body. */
export interface StatsUpdateRequest {
  Entries: StatsUpdateEntry[]
}
