/** Index value types as `GET /indexes` reports them. */
export type IndexType =
  | 'string'
  | 'boolean'
  | 'IP Address'
  | 'UUID string'
  | 'dateTime'
  | 'Date/Time string'
  | 'CIDR Address'

/** One static index of a model type. */
export interface IndexSpec {
  type: IndexType
  unique?: boolean
  /** Reads the indexed value; default: the field of the same name. */
  get?: (object: Record<string, any>, key: string) => unknown
}

/** Everything the fake needs to know about one model collection. */
export interface ModelSpec {
  prefix: string
  /** The key field. */
  key: string
  /** Keys are the uppercase hex of an IPv4 `key` field (reservations, leases). */
  hex?: boolean
  /** The model has the Validated/Available/Errors/ReadOnly block (and Valid/Available indexes). */
  validation: boolean
  /** POST/PUT/PATCH allowed through the REST API. */
  writable: boolean
  /** Extra static indexes (Key, Valid, Available, ReadOnly are added for indexed models). */
  indexes?: Record<string, IndexSpec>
  /** `Fill` defaults applied on every save. */
  defaults: Record<string, unknown>
}

const NAME: Record<string, IndexSpec> = { Name: { type: 'string', unique: true } }
const DOC = { Description: '', Documentation: '' }

/**
 * The model table: one row per collection. Extend it (machines' task lists, stages …) by
 * adding rows or rules in `rules.ts`; the routes, store, filters and indexes are driven by it.
 */
export const MODEL_SPECS: readonly ModelSpec[] = [
  {
    prefix: 'machines',
    key: 'Uuid',
    validation: true,
    writable: true,
    indexes: {
      Uuid: { type: 'UUID string', unique: true },
      Name: { type: 'string', unique: true },
      Stage: { type: 'string' },
      Workflow: { type: 'string' },
      BootEnv: { type: 'string' },
      Address: { type: 'IP Address' },
      Runnable: { type: 'boolean' },
    },
    defaults: {
      Name: '',
      Description: '',
      Address: '',
      Stage: '',
      BootEnv: '',
      Workflow: '',
      Profiles: [],
      Params: {},
      Tasks: [],
      CurrentTask: -1,
      CurrentJob: '',
      Runnable: false,
      Secret: '',
      OS: '',
      HardwareAddrs: [],
    },
  },
  {
    prefix: 'jobs',
    key: 'Uuid',
    validation: true,
    writable: true,
    indexes: {
      Uuid: { type: 'UUID string', unique: true },
      Machine: { type: 'UUID string', unique: true },
      Previous: { type: 'UUID string' },
      Stage: { type: 'string' },
      Workflow: { type: 'string' },
      BootEnv: { type: 'string' },
      Task: { type: 'string' },
      State: { type: 'string' },
      Archived: { type: 'boolean' },
      Current: { type: 'boolean' },
      StartTime: { type: 'dateTime' },
      EndTime: { type: 'dateTime' },
    },
    defaults: {
      Previous: '',
      Machine: '',
      Task: '',
      Stage: '',
      BootEnv: '',
      Workflow: '',
      State: 'created',
      ExitState: '',
      StartTime: '0001-01-01T00:00:00Z',
      EndTime: '0001-01-01T00:00:00Z',
      Archived: false,
      Current: false,
      CurrentIndex: 0,
      NextIndex: 0,
    },
  },
  {
    prefix: 'bootenvs',
    key: 'Name',
    validation: true,
    writable: true,
    indexes: {
      ...NAME,
      OsName: { type: 'string', get: (o) => o.OS?.Name ?? '' },
      OnlyUnknown: { type: 'boolean' },
    },
    defaults: {
      ...DOC,
      OS: {},
      Templates: [],
      Kernel: '',
      Initrds: [],
      BootParams: '',
      RequiredParams: [],
      OptionalParams: [],
      OnlyUnknown: false,
    },
  },
  {
    prefix: 'stages',
    key: 'Name',
    validation: true,
    writable: true,
    indexes: { ...NAME, BootEnv: { type: 'string' }, Reboot: { type: 'boolean' } },
    defaults: {
      ...DOC,
      Templates: [],
      RequiredParams: [],
      OptionalParams: [],
      BootEnv: '',
      Tasks: [],
      Profiles: [],
      Reboot: false,
      RunnerWait: true,
    },
  },
  {
    prefix: 'tasks',
    key: 'Name',
    validation: true,
    writable: true,
    indexes: NAME,
    defaults: { ...DOC, Templates: [], RequiredParams: [], OptionalParams: [] },
  },
  {
    prefix: 'templates',
    key: 'ID',
    validation: true,
    writable: true,
    indexes: { ID: { type: 'string', unique: true } },
    defaults: { Description: '', Contents: '' },
  },
  {
    prefix: 'params',
    key: 'Name',
    validation: true,
    writable: true,
    indexes: NAME,
    defaults: { ...DOC, Secure: false, Schema: null },
  },
  {
    prefix: 'profiles',
    key: 'Name',
    validation: true,
    writable: true,
    indexes: NAME,
    defaults: { ...DOC, Params: {} },
  },
  {
    prefix: 'workflows',
    key: 'Name',
    validation: true,
    writable: true,
    indexes: NAME,
    defaults: { ...DOC, Stages: [] },
  },
  {
    prefix: 'subnets',
    key: 'Name',
    validation: true,
    writable: true,
    indexes: {
      ...NAME,
      Subnet: { type: 'CIDR Address', unique: true },
      Strategy: { type: 'string' },
      NextServer: { type: 'IP Address' },
      Enabled: { type: 'boolean' },
      Proxy: { type: 'boolean' },
    },
    defaults: {
      ...DOC,
      Enabled: false,
      Proxy: false,
      Unmanaged: false,
      Subnet: '',
      NextServer: '',
      ActiveStart: '',
      ActiveEnd: '',
      ActiveLeaseTime: 60,
      ReservedLeaseTime: 7200,
      OnlyReservations: false,
      Options: [],
      Strategy: 'MAC',
      Pickers: ['hint', 'nextFree', 'mostExpired'],
    },
  },
  {
    prefix: 'reservations',
    key: 'Addr',
    hex: true,
    validation: true,
    writable: true,
    indexes: {
      Addr: { type: 'IP Address' },
      NextServer: { type: 'IP Address' },
      Token: { type: 'string' },
      Strategy: { type: 'string' },
    },
    defaults: { ...DOC, Token: '', NextServer: '', Options: [], Strategy: 'MAC' },
  },
  {
    prefix: 'leases',
    key: 'Addr',
    hex: true,
    validation: true,
    writable: false,
    indexes: {
      Addr: { type: 'IP Address' },
      Token: { type: 'string' },
      Strategy: { type: 'string' },
      State: { type: 'string' },
      ExpireTime: { type: 'Date/Time string' },
    },
    defaults: { Token: '', ExpireTime: '0001-01-01T00:00:00Z', Strategy: 'MAC', State: '' },
  },
  {
    prefix: 'users',
    key: 'Name',
    validation: true,
    writable: true,
    indexes: NAME,
    defaults: { Description: '', Secret: '', Roles: [] },
  },
  {
    prefix: 'roles',
    key: 'Name',
    validation: true,
    writable: true,
    indexes: NAME,
    defaults: { ...DOC, Claims: [] },
  },
  {
    prefix: 'tenants',
    key: 'Name',
    validation: true,
    writable: true,
    indexes: NAME,
    defaults: { ...DOC, Members: {}, Users: [] },
  },
  {
    prefix: 'plugins',
    key: 'Name',
    validation: true,
    writable: true,
    indexes: { ...NAME, Provider: { type: 'string' } },
    defaults: { ...DOC, Params: {}, Provider: '', PluginErrors: [] },
  },
  { prefix: 'plugin_providers', key: 'Name', validation: false, writable: false, defaults: {} },
  { prefix: 'interfaces', key: 'Name', validation: false, writable: false, defaults: {} },
]

/** The spec of a prefix, or undefined. */
export function specOf(prefix: string): ModelSpec | undefined {
  return MODEL_SPECS.find((s) => s.prefix === prefix)
}

/** All static indexes of a spec, including Key/Valid/Available/ReadOnly; undefined when unindexed. */
export function indexesOf(spec: ModelSpec): Record<string, IndexSpec> | undefined {
  if (!spec.indexes) return undefined
  const out: Record<string, IndexSpec> = {
    Key: { type: 'string', unique: true, get: (_o, key) => key },
    ...spec.indexes,
    ReadOnly: { type: 'boolean' },
  }
  if (spec.validation) {
    out.Valid = { type: 'boolean', get: (o) => o.Validated }
    out.Available = { type: 'boolean' }
  }
  return out
}
