import type { Access } from './access.js'
import type { Bakery } from './bakery.js'
import { formatRef, type Ref } from './ids.js'
import type { Entity, Store, StoreChannel } from './state.js'

/** A log entry posted to `/log`. */
export interface LogEntry {
  Data: unknown
  Level: string
  Type: string
  URLs: string[]
  Time: string
}

/** A multipart upload in progress. */
export interface Upload {
  id: string
  expires: Date
  parts: Array<{ hash: string; size: number; offset: number; bytes: Uint8Array } | undefined>
  hash?: string
  consumed: boolean
}

/** Everything a route handler needs. */
export interface Ctx {
  request: Request
  url: URL
  params: URLSearchParams
  store: Store
  access: Access
  bakery: Bakery
  channel: StoreChannel | undefined
  logs: LogEntry[]
  uploads: Map<string, Upload>
  stats: { updates: Array<{ Timestamp: string; Type: string; CharmReference: string }> }
  limits: { archive: number; part: number; minPart: number; maxParts: number }
}

/** The id reported for `entity` when it was asked for as `ref`. */
export function reportedId(ctx: Ctx, entity: Entity, ref: Ref): string {
  return formatRef(ctx.store.preferred(entity, ref.user === ''))
}
