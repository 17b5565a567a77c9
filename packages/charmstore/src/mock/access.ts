import type { Bakery } from './bakery.js'
import { StoreError } from './http.js'
import type { Acl, BaseEntity, StoreChannel } from './state.js'

/** An authenticated caller. */
export interface Identity {
  user: string
  groups: string[]
  admin: boolean
}

/** Admin basic-auth credentials. */
export interface AdminCredentials {
  username: string
  password: string
}

/** Who is calling, per request: admin basic auth, a verified macaroon, or nobody. */
export class Access {
  #identity: Identity | undefined | null = null

  constructor(
    readonly request: Request,
    readonly bakery: Bakery,
    readonly admin: AdminCredentials,
    readonly groups: Record<string, string[]>,
    readonly path: string,
  ) {}

  /** The caller, or undefined when anonymous; a bad `Authorization` header is a 401. */
  identity(): Identity | undefined {
    if (this.#identity !== null) return this.#identity
    const header = this.request.headers.get('authorization')
    if (header) {
      const m = /^Basic\s+(\S+)$/i.exec(header)
      if (!m)
        throw new StoreError(
          'unauthorized',
          'authentication failed: unsupported authorization scheme',
        )
      let decoded = ''
      try {
        decoded = atob(m[1]!)
      } catch {
        // stays empty: rejected below
      }
      if (decoded !== `${this.admin.username}:${this.admin.password}`) {
        throw new StoreError('unauthorized', 'invalid user name or password')
      }
      this.#identity = { user: this.admin.username, groups: [], admin: true }
    } else {
      const user = this.bakery.identify(this.request)
      this.#identity = user ? { user, groups: this.groups[user] ?? [], admin: false } : undefined
    }
    return this.#identity
  }

  /** The caller; anonymous callers get a discharge-required error with a fresh macaroon. */
  require(): Identity {
    const who = this.identity()
    if (!who) throw this.bakery.challenge(this.request, this.path)
    return who
  }

  /** True when the ACL list admits `who` (`everyone` admits anybody). */
  static admits(list: string[], who: Identity | undefined): boolean {
    if (list.includes('everyone')) return true
    if (!who) return false
    return who.admin || list.includes(who.user) || who.groups.some((g) => list.includes(g))
  }

  /** Requires the operation on the base entity's ACL for `channel`. */
  check(base: BaseEntity | undefined, channel: StoreChannel, op: keyof Acl): Identity | undefined {
    const list = base ? base.acls[channel][op] : []
    // Public reads ignore credentials entirely, even bad ones.
    if (op === 'Read' && list.includes('everyone')) return undefined
    const who = this.require()
    if (!Access.admits(list, who)) {
      throw new StoreError('unauthorized', `access denied for user ${JSON.stringify(who.user)}`)
    }
    return who
  }
}
