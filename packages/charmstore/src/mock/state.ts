import { fail } from './http.js'
import { formatRef, type Ref, seriesScore } from './ids.js'

/** The channels a v5 store accepts, most stable first. */
export const STORE_CHANNELS = ['stable', 'candidate', 'beta', 'edge', 'unpublished'] as const
/** A channel name. */
export type StoreChannel = (typeof STORE_CHANNELS)[number]

/** Read and write ACLs. */
export interface Acl {
  Read: string[]
  Write: string[]
}

/** One revision of a charm or bundle. */
export interface Entity {
  user: string
  series: string
  name: string
  revision: number
  promulgatedRevision: number
  kind: 'charm' | 'bundle'
  blob: Uint8Array
  sha384: string
  sha256: string
  uploadTime: Date
  /** Zip entries (files only). */
  files: Map<string, Uint8Array>
  /** Parsed metadata.yaml or bundle.yaml. */
  meta: Record<string, any>
  config?: Record<string, any>
  actions?: Record<string, any>
  metrics?: Record<string, any>
  supportedSeries: string[]
  extraInfo: Record<string, unknown>
  published: Set<StoreChannel>
  downloads: number
}

/** One uploaded revision of a resource. */
export interface ResourceRevision {
  revision: number
  sha384?: string
  bytes?: Uint8Array
  /** For oci-image resources. */
  image?: { imageName: string; digest: string }
  filename?: string
}

/** All revisions of `~user/name`. */
export interface BaseEntity {
  user: string
  name: string
  promulgated: boolean
  acls: Record<StoreChannel, Acl>
  /** channel → series → entity */
  current: Map<StoreChannel, Map<string, Entity>>
  /** channel → resource name → revision, recorded by publish. */
  publishedResources: Map<StoreChannel, Record<string, number>>
  commonInfo: Record<string, unknown>
  canIngest: boolean
  entities: Entity[]
  resources: Map<string, ResourceRevision[]>
}

/** The whole in-memory store. */
export class Store {
  readonly bases = new Map<string, BaseEntity>()

  /** The base entity `~user/name`, if any. */
  base(user: string, name: string): BaseEntity | undefined {
    return this.bases.get(`${user}/${name}`)
  }

  /** Gets or creates a base entity; new ones are private to their owner. */
  ensureBase(user: string, name: string): BaseEntity {
    let base = this.base(user, name)
    if (!base) {
      const acls = {} as Record<StoreChannel, Acl>
      for (const c of STORE_CHANNELS) acls[c] = { Read: [user], Write: [user] }
      base = {
        user,
        name,
        promulgated: false,
        acls,
        current: new Map(),
        publishedResources: new Map(),
        commonInfo: {},
        canIngest: true,
        entities: [],
        resources: new Map(),
      }
      this.bases.set(`${user}/${name}`, base)
    }
    return base
  }

  /** The base entity an entity belongs to. */
  baseOf(entity: Entity): BaseEntity {
    return this.base(entity.user, entity.name)!
  }

  /** Resolves an id in a channel (§3 of the reference); throws `not found`. */
  resolve(ref: Ref, channel: StoreChannel | undefined): Entity {
    const shown = formatRef(ref)
    const candidates = [...this.bases.values()]
      .filter((b) => b.name === ref.name && (ref.user ? b.user === ref.user : b.promulgated))
      .flatMap((b) => b.entities)
      .filter((e) => (ref.user ? true : e.promulgatedRevision >= 0))
    const rev = (e: Entity) => (ref.user ? e.revision : e.promulgatedRevision)
    if (ref.revision >= 0) {
      const found = candidates.find(
        (e) =>
          rev(e) === ref.revision &&
          (ref.series
            ? e.series === ref.series || e.supportedSeries.includes(ref.series)
            : e.series === '' || e.kind === 'bundle'),
      )
      if (!found) fail('not found', `no matching charm or bundle for ${shown}`)
      if (channel && channel !== 'unpublished' && !found.published.has(channel))
        fail('not found', `${shown} not found in ${channel} channel`)
      return found
    }
    const pick = (list: Entity[]) =>
      list.sort((a, b) => seriesScore(b.series) - seriesScore(a.series) || rev(b) - rev(a))[0]
    let found: Entity | undefined
    if (channel === 'unpublished') {
      found = pick(
        candidates.filter(
          (e) => !ref.series || e.series === ref.series || e.supportedSeries.includes(ref.series),
        ),
      )
    } else {
      const ch = channel ?? 'stable'
      const current = [...new Set(candidates.map((e) => this.baseOf(e)))].flatMap((b) => [
        ...(b.current.get(ch)?.entries() ?? []),
      ])
      const matching = current
        .filter(([series]) => !ref.series || series === ref.series)
        .map(([, e]) => e)
      found = pick(matching)
    }
    if (!found) fail('not found', `no matching charm or bundle for ${shown}`)
    return found
  }

  /** The id the store reports: promulgated when asked without a user, else the owner's. */
  preferred(entity: Entity, promulgatedForm: boolean): Ref {
    if (promulgatedForm && entity.promulgatedRevision >= 0) {
      return {
        user: '',
        series: entity.series,
        name: entity.name,
        revision: entity.promulgatedRevision,
      }
    }
    return {
      user: entity.user,
      series: entity.series,
      name: entity.name,
      revision: entity.revision,
    }
  }

  /** The channel whose ACL governs access: explicit, else the first published one, else unpublished. */
  aclChannel(entity: Entity | undefined, channel: StoreChannel | undefined): StoreChannel {
    if (channel) return channel
    return (
      STORE_CHANNELS.find((c) => c !== 'unpublished' && entity?.published.has(c)) ?? 'unpublished'
    )
  }

  /** The next revision for a new upload of `~user/[series/]name`. */
  nextRevision(base: BaseEntity, series: string): number {
    const same = base.entities.filter((e) => (series === '' ? true : e.series === series))
    return same.reduce((max, e) => Math.max(max, e.revision), -1) + 1
  }

  /** The next promulgated revision of `series/name`. */
  nextPromulgatedRevision(name: string, series: string): number {
    let max = -1
    for (const b of this.bases.values())
      for (const e of b.entities)
        if (e.name === name && e.series === series) max = Math.max(max, e.promulgatedRevision)
    return max + 1
  }
}
