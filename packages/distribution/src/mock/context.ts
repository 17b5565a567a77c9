import type { Access } from './auth.js'
import type { MockFaults } from './faults.js'
import type { ResolvedOptions } from './options.js'
import type { StorageLinks } from './storage.js'
import type { Store } from './store.js'

/** Everything a handler needs to answer one registry request. */
export interface Context {
  request: Request
  url: URL
  store: Store
  options: ResolvedOptions
  faults: MockFaults
  /** What the caller may do (mount sources are checked with it). */
  access: Access
  /** Signs redirects to the storage origin. */
  storage: StorageLinks
  /** Origin redirected blob GETs go to for this request. */
  storageOrigin: string
}

/** Common headers of a successful empty answer with a `Location`. */
export function located(location: string, extra: Record<string, string> = {}): Headers {
  return new Headers({ location, 'content-length': '0', ...extra })
}
