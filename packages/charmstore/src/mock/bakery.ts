import lib from 'macaroon'
import { fail, json, StoreError } from './http.js'

/** Who the third-party discharger vouches for, and how. Tests change it at run time. */
export interface DischargerState {
  /** Discharge at once as this user (no interaction). */
  user?: string
  /** When `user` is unset: visiting the VisitURL logs this user in. */
  interactiveUser?: string
  /** Refuse every discharge with `permission denied`. */
  refuse?: boolean
}

const text = new TextDecoder()
const randomId = () => crypto.randomUUID().replaceAll('-', '')
const randomKey = () => crypto.getRandomValues(new Uint8Array(24))

function base64Text(value: string): string {
  const std = value.replace(/-/g, '+').replace(/_/g, '/')
  const padded = std + '='.repeat((4 - (std.length % 4)) % 4)
  return text.decode(Uint8Array.from(atob(padded), (c) => c.charCodeAt(0)))
}

/**
 * The store's macaroon authority plus a third-party discharger for `is-authenticated-user`
 * caveats (they share state in memory, so caveat ids are random keys into a table).
 */
export class Bakery {
  readonly #rootKeys = new Map<string, Uint8Array>()
  readonly #caveats = new Map<string, Uint8Array>()
  /** wait id → caveat id, and once visited the user. */
  readonly #waits = new Map<string, { caveat: string; user?: string }>()
  readonly #tokens = new Map<string, string>()
  /** Counts of discharges granted, for tests. */
  discharges = 0

  constructor(
    readonly discharger: DischargerState,
    readonly location: () => { store: string; discharger: string },
  ) {}

  /** A new macaroon for the store with a third-party caveat at the discharger. */
  mint(): Record<string, unknown> {
    const id = randomId()
    const rootKey = randomKey()
    this.#rootKeys.set(id, rootKey)
    const m = lib.newMacaroon({
      identifier: id,
      location: this.location().store,
      rootKey,
      version: 2,
    })
    m.addFirstPartyCaveat(`time-before ${new Date(Date.now() + 86_400_000).toISOString()}`)
    m.addFirstPartyCaveat('allow read-no-terms write')
    const caveatId = randomId()
    const caveatKey = randomKey()
    this.#caveats.set(caveatId, caveatKey)
    m.addThirdPartyCaveat(caveatKey, caveatId, this.location().discharger)
    return m.exportJSON()
  }

  /** A macaroon with first-party caveats only, bound to `user` for a week (`GET /delegatable-macaroon`). */
  delegatable(user: string): Record<string, unknown> {
    const id = randomId()
    const rootKey = randomKey()
    this.#rootKeys.set(id, rootKey)
    const m = lib.newMacaroon({
      identifier: id,
      location: this.location().store,
      rootKey,
      version: 2,
    })
    m.addFirstPartyCaveat(`declared username ${user}`)
    m.addFirstPartyCaveat(`time-before ${new Date(Date.now() + 7 * 86_400_000).toISOString()}`)
    m.addFirstPartyCaveat('allow read-no-terms write')
    return m.exportJSON()
  }

  /** The discharge-required error for a request (407 for bakery protocol 0, else 401 + `WWW-Authenticate`). */
  challenge(request: Request, pathFromRoot: string): StoreError {
    const version = Number(request.headers.get('bakery-protocol-version') ?? 0)
    const depth = pathFromRoot.split('/').length - 2
    const info = {
      Macaroon: this.mint(),
      MacaroonPath: depth > 0 ? '../'.repeat(depth) : './',
      CookieNameSuffix: 'authn',
    }
    return version >= 1
      ? new StoreError('macaroon discharge required', 'authentication required', info, 401, {
          'www-authenticate': 'Macaroon',
        })
      : new StoreError('macaroon discharge required', 'authentication required', info, 407)
  }

  /** The user a request's macaroons (cookies `macaroon-*`, `Macaroons` headers) prove, if any. */
  identify(request: Request): string | undefined {
    const values = [...(request.headers.get('macaroons')?.split(',') ?? [])]
    for (const part of request.headers.get('cookie')?.split(';') ?? []) {
      const at = part.indexOf('=')
      if (part.slice(0, at).trim().startsWith('macaroon-')) values.push(part.slice(at + 1).trim())
    }
    for (const value of values) {
      const user = this.#verify(value.trim())
      if (user) return user
    }
    return undefined
  }

  #verify(value: string): string | undefined {
    try {
      let decoded: unknown = value
      try {
        decoded = JSON.parse(base64Text(value))
      } catch {
        // binary form: let the library decode it
      }
      const [primary, ...discharges] = lib.importMacaroons(decoded)
      const rootKey = primary && this.#rootKeys.get(text.decode(primary.identifier))
      if (!primary || !rootKey) return undefined
      let user: string | undefined
      primary.verify(
        rootKey,
        (condition) => {
          const [name, ...args] = condition.split(' ')
          if (name === 'declared' && args[0] === 'username' && args[1]) {
            user = args[1]
            return null
          }
          if (name === 'time-before')
            return Date.now() < Date.parse(args[0] ?? '') ? null : 'expired'
          if (name === 'allow') return null
          return `unknown caveat ${JSON.stringify(condition)}`
        },
        discharges,
      )
      return user
    } catch {
      return undefined
    }
  }

  #dischargeFor(caveatId: string, user: string): Response {
    const m = lib.newMacaroon({
      identifier: caveatId,
      location: this.location().discharger,
      rootKey: this.#caveats.get(caveatId)!,
      version: 2,
    })
    m.addFirstPartyCaveat(`declared username ${user}`)
    this.discharges++
    return json({ Macaroon: m.exportJSON() })
  }

  /** The discharger's HTTP API: `POST /discharge`, `GET /visit`, `/wait-token`, `/wait`. */
  async handle(request: Request): Promise<Response> {
    try {
      return await this.#route(request)
    } catch (error) {
      if (!(error instanceof StoreError)) throw error
      const body: Record<string, unknown> = { Code: error.code, Message: error.message }
      if (error.info !== undefined) body.Info = error.info
      return json(body, error.status)
    }
  }

  async #route(request: Request): Promise<Response> {
    const url = new URL(request.url)
    const base = this.location().discharger
    const params = new URLSearchParams(url.search)
    if (request.method === 'POST') {
      const type = request.headers.get('content-type') ?? ''
      const body = await request.text()
      if (type.startsWith('application/x-www-form-urlencoded')) {
        for (const [k, v] of new URLSearchParams(body)) params.set(k, v)
      }
    }
    const waitId = params.get('waitid') ?? ''
    switch (`${request.method} ${url.pathname.replace(/\/+$/, '')}`) {
      case 'POST /discharge': {
        const id64 = params.get('id64')
        const caveatId = params.get('id') ?? (id64 ? base64Text(id64) : '')
        if (!this.#caveats.has(caveatId))
          fail('bad request', `unknown caveat id ${JSON.stringify(caveatId.slice(0, 40))}`)
        if (this.discharger.refuse)
          fail('permission denied', 'the discharger refused: permission denied')
        const token = params.get('token')
        const tokenUser = token ? this.#tokens.get(token) : undefined
        if (token && (!tokenUser || params.get('token-kind') !== 'browser-window'))
          fail('bad request', 'invalid token')
        const user = tokenUser ?? this.discharger.user
        if (user) return this.#dischargeFor(caveatId, user)
        const wait = randomId()
        this.#waits.set(wait, { caveat: caveatId })
        const visit = `${base}/visit?waitid=${wait}`
        throw new StoreError('interaction required', 'interaction required', {
          VisitURL: visit,
          WaitURL: `${base}/wait?waitid=${wait}`,
          InteractionMethods: {
            'browser-window': {
              VisitURL: visit,
              WaitTokenURL: `${base}/wait-token?waitid=${wait}`,
            },
          },
        })
      }
      case 'GET /visit': {
        const wait = this.#waits.get(waitId) ?? fail('not found', 'unknown wait id')
        if (!this.discharger.interactiveUser) fail('permission denied', 'login failed')
        wait.user = this.discharger.interactiveUser
        return new Response('logged in', { status: 200, headers: { 'content-type': 'text/plain' } })
      }
      case 'GET /wait-token': {
        const wait = this.#waits.get(waitId) ?? fail('not found', 'unknown wait id')
        if (!wait.user) fail('bad request', 'login not completed')
        const token = randomId()
        this.#tokens.set(token, wait.user)
        this.#waits.delete(waitId)
        return json({ kind: 'browser-window', token })
      }
      case 'GET /wait': {
        const wait = this.#waits.get(waitId) ?? fail('not found', 'unknown wait id')
        if (!wait.user) fail('bad request', 'login not completed')
        this.#waits.delete(waitId)
        return this.#dischargeFor(wait.caveat, wait.user)
      }
      default:
        return fail('not found', `no discharger endpoint ${url.pathname}`)
    }
  }
}
