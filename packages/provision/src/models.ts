/** Fields every validated model carries (server-computed on each save). */
export interface Validation {
  Validated?: boolean
  Available?: boolean
  Errors?: string[]
  ReadOnly?: boolean
}

/** Free-form metadata (`feature-flags`, icon, color …). */
export interface Meta {
  Meta?: Record<string, string>
}

/** Common blocks of most models. */
export type Common = Validation & Meta

/** A template reference inside a bootenv, stage or task. */
export interface TemplateInfo {
  Name: string
  Path?: string
  ID?: string
  Contents?: string
  Meta?: Record<string, string>
}

/** Operating system details of a bootenv. */
export interface OsInfo {
  Name?: string
  Family?: string
  Codename?: string
  Version?: string
  IsoFile?: string
  IsoSha256?: string
  IsoUrl?: string
}

/** A DHCP option of a subnet or reservation. */
export interface DhcpOption {
  Code: number
  Value: string
}

/** A machine managed by dr-provision (key `Uuid`). */
export interface Machine extends Common {
  Uuid?: string
  Name?: string
  Description?: string
  Address?: string
  Stage?: string
  BootEnv?: string
  Workflow?: string
  Profiles?: string[]
  Params?: Record<string, unknown>
  Tasks?: string[]
  CurrentTask?: number
  CurrentJob?: string
  Runnable?: boolean
  Secret?: string
  OS?: string
  HardwareAddrs?: string[]
}

/** A job: one task run on one machine (key `Uuid`). */
export interface Job extends Common {
  Uuid?: string
  Previous?: string
  Machine?: string
  Task?: string
  Stage?: string
  BootEnv?: string
  Workflow?: string
  State?: 'created' | 'running' | 'failed' | 'finished' | 'incomplete' | (string & {})
  ExitState?: '' | 'complete' | 'failed' | 'reboot' | 'poweroff' | 'stop' | (string & {})
  StartTime?: string
  EndTime?: string
  Archived?: boolean
  Current?: boolean
  CurrentIndex?: number
  NextIndex?: number
}

/** A rendered task template: a file to write (`Path` set) or a script to run. */
export interface JobAction {
  Name: string
  Path: string
  Content: string
  Meta: Record<string, string>
}

/** A boot environment (key `Name`). */
export interface BootEnv extends Common {
  Name?: string
  Description?: string
  Documentation?: string
  OS?: OsInfo
  Templates?: TemplateInfo[]
  Kernel?: string
  Initrds?: string[]
  BootParams?: string
  RequiredParams?: string[]
  OptionalParams?: string[]
  OnlyUnknown?: boolean
}

/** A stage of a workflow (key `Name`). */
export interface Stage extends Common {
  Name?: string
  Description?: string
  Documentation?: string
  Templates?: TemplateInfo[]
  RequiredParams?: string[]
  OptionalParams?: string[]
  BootEnv?: string
  Tasks?: string[]
  Profiles?: string[]
  Reboot?: boolean
  RunnerWait?: boolean
}

/** A task run by the machine agent (key `Name`). */
export interface Task extends Common {
  Name?: string
  Description?: string
  Documentation?: string
  Templates?: TemplateInfo[]
  RequiredParams?: string[]
  OptionalParams?: string[]
}

/** A Go text/template (key `ID`). */
export interface Template extends Common {
  ID?: string
  Description?: string
  Contents?: string
}

/** A parameter definition with its JSON schema (key `Name`, may contain `/`). */
export interface Param extends Common {
  Name?: string
  Description?: string
  Documentation?: string
  Secure?: boolean
  Schema?: unknown
}

/** A named set of params (key `Name`). */
export interface Profile extends Common {
  Name?: string
  Description?: string
  Documentation?: string
  Params?: Record<string, unknown>
}

/** An ordered list of stages (key `Name`). */
export interface Workflow extends Common {
  Name?: string
  Description?: string
  Documentation?: string
  Stages?: string[]
}

/** A DHCP subnet (key `Name`). */
export interface Subnet extends Common {
  Name?: string
  Description?: string
  Documentation?: string
  Enabled?: boolean
  Proxy?: boolean
  Unmanaged?: boolean
  Subnet?: string
  NextServer?: string
  ActiveStart?: string
  ActiveEnd?: string
  ActiveLeaseTime?: number
  ReservedLeaseTime?: number
  OnlyReservations?: boolean
  Options?: DhcpOption[]
  Strategy?: string
  Pickers?: string[]
}

/** A DHCP reservation (key: uppercase hex of `Addr`). */
export interface Reservation extends Common {
  Addr?: string
  Description?: string
  Documentation?: string
  Token?: string
  NextServer?: string
  Options?: DhcpOption[]
  Strategy?: string
}

/** A DHCP lease (key: uppercase hex of `Addr`); created by the DHCP server only. */
export interface Lease extends Common {
  Addr?: string
  Token?: string
  ExpireTime?: string
  Strategy?: string
  State?: string
}

/** A user (key `Name`); `PasswordHash` is never returned. */
export interface User extends Common {
  Name?: string
  Description?: string
  PasswordHash?: string
  Secret?: string
  Roles?: string[]
}

/** One permission of a role. */
export interface Claim {
  scope: string
  action: string
  specific: string
}

/** A named list of claims (key `Name`). */
export interface Role extends Common {
  Name?: string
  Description?: string
  Documentation?: string
  Claims?: Claim[]
}

/** A tenant restricting what its users see (key `Name`). */
export interface Tenant extends Common {
  Name?: string
  Description?: string
  Documentation?: string
  Members?: Record<string, string[]>
  Users?: string[]
}

/** A configured plugin (key `Name`). */
export interface Plugin extends Common {
  Name?: string
  Description?: string
  Documentation?: string
  Params?: Record<string, unknown>
  Provider?: string
  PluginErrors?: string[]
}

/** An action a plugin offers. */
export interface AvailableAction {
  Provider?: string
  Model?: string
  Command?: string
  RequiredParams?: string[]
  OptionalParams?: string[]
}

/** An uploaded plugin binary (key `Name`, read-only). */
export interface PluginProvider extends Meta {
  Name?: string
  Version?: string
  PluginVersion?: number
  HasPublish?: boolean
  AvailableActions?: AvailableAction[]
  RequiredParams?: string[]
  OptionalParams?: string[]
  Documentation?: string
  Content?: string
}

/** A network interface of the server (key `Name`, read-only). */
export interface Interface extends Meta {
  Name?: string
  Index?: number
  Addresses?: string[]
  ActiveAddress?: string
  Gateway?: string
  DnsServers?: string[]
  DnsDomain?: string
  ReadOnly?: boolean
}

/** A preference (content section `preferences`; the REST API is `/prefs`). */
export interface Pref extends Meta {
  Name?: string
  Val?: string
}

/** The metadata of a content bundle. */
export interface ContentMetaData {
  Name?: string
  Source?: string
  Description?: string
  Version?: string
  Documentation?: string
  RequiredFeatures?: string
  Type?: string
  Writable?: boolean
  Overwritable?: boolean
}

/** A content bundle: metadata plus objects per section (prefix → key → object). */
export interface Content {
  meta: ContentMetaData
  sections?: Record<string, Record<string, unknown>>
}

/** One content layer as listed by `GET /contents`. */
export interface ContentSummary {
  meta: ContentMetaData
  Counts: Record<string, number>
  Warnings?: string[]
}

/** Result of a file or ISO upload. */
export interface BlobInfo {
  Path: string
  Size: number
}

/** A static index of a model type. */
export interface Index {
  Type: string
  Unique: boolean
}

/** A counter in `Info.stats`. */
export interface Stat {
  name: string
  count: number
}

/** Server information (`GET /info`, snake_case keys). */
export interface Info {
  arch?: string
  os?: string
  version?: string
  id?: string
  api_port?: number
  file_port?: number
  dhcp_port?: number
  binl_port?: number
  tftp_port?: number
  tftp_enabled?: boolean
  dhcp_enabled?: boolean
  binl_enabled?: boolean
  prov_enabled?: boolean
  address?: string
  stats?: Stat[]
  features?: string[]
  scopes?: Record<string, Record<string, unknown>>
  License?: unknown
}

/** Answer of the token endpoint. */
export interface UserToken {
  Token: string
  Info?: Info
}

/** A server log line (`GET /logs`). */
export interface LogLine {
  Group: number
  Seq: number
  Time: string
  Service: string
  Level: string
  File: string
  Line: number
  Message: string
  Data: unknown[]
  IgnorePublish: boolean
}

/** An event published by the server (or posted by a client). */
export interface ProvisionEvent {
  Time?: string
  Type: string
  Action: string
  Key: string
  Object?: unknown
  /** Added in v3.11; absent from v3.10 servers. */
  Principal?: string
}

/** The model type of each REST prefix. */
export interface ModelTypes {
  machines: Machine
  jobs: Job
  bootenvs: BootEnv
  stages: Stage
  tasks: Task
  templates: Template
  params: Param
  profiles: Profile
  workflows: Workflow
  subnets: Subnet
  reservations: Reservation
  leases: Lease
  users: User
  roles: Role
  tenants: Tenant
  plugins: Plugin
  plugin_providers: PluginProvider
  interfaces: Interface
  preferences: Pref
}

/** A model prefix (URL collection name). */
export type Prefix = keyof ModelTypes

/** Any model object. */
export type Model = ModelTypes[Prefix]

/** How each prefix names its key field; `hex` keys are the uppercase hex of an IPv4 `Addr`. */
export const MODEL_KEYS: Readonly<Record<Prefix, { field: string; hex?: true }>> = Object.freeze({
  machines: { field: 'Uuid' },
  jobs: { field: 'Uuid' },
  bootenvs: { field: 'Name' },
  stages: { field: 'Name' },
  tasks: { field: 'Name' },
  templates: { field: 'ID' },
  params: { field: 'Name' },
  profiles: { field: 'Name' },
  workflows: { field: 'Name' },
  subnets: { field: 'Name' },
  reservations: { field: 'Addr', hex: true },
  leases: { field: 'Addr', hex: true },
  users: { field: 'Name' },
  roles: { field: 'Name' },
  tenants: { field: 'Name' },
  plugins: { field: 'Name' },
  plugin_providers: { field: 'Name' },
  interfaces: { field: 'Name' },
  preferences: { field: 'Name' },
})
