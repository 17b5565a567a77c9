// A charm-store-like service and a macaroon discharger written from
// shared/reference/charmstore.md §10–11 with the `macaroon` package for the crypto. Nothing here
// uses the client's decoding, binding or cookie code.
import { randomBytes } from 'node:crypto'
import macaroon, { type Macaroon } from 'macaroon'

export type DischargeMode = 'ok' | 'interaction' | 'legacy' | 'refuse'

export interface BakeryWorldOptions {
  /** Answer 407 even to clients that speak protocol version 3. */
  always407?: boolean
  /** Wrap the macaroon in the bakery v3 form with caveat data. */
  v3Wrapper?: boolean
  /** The discharge carries its own third-party caveat at the second discharger. */
  nested?: boolean
  mode?: DischargeMode
  /** A third-party caveat location to use instead of the discharger's. */
  caveatLocation?: string
  visitUrl?: string
}

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url')

export function bakeryWorld(options: BakeryWorldOptions = {}) {
  const rootKey = randomBytes(24)
  const keys = new Map<string, Uint8Array>()
  const storeLog: Array<{
    path: string
    cookie: string | null
    version: string | null
    status: number
  }> = []
  const dischargeLog: Array<{ origin: string; form: URLSearchParams }> = []
  let visited = false
  const world = {
    storeOrigin: '',
    dischargerOrigin: '',
    secondOrigin: '',
    storeLog,
    dischargeLog,
    mode: options.mode ?? ('ok' as DischargeMode),

    async store(request: Request): Promise<Response> {
      const url = new URL(request.url)
      const cookie = request.headers.get('cookie')
      const version = request.headers.get('bakery-protocol-version')
      const user = authenticate(cookie)
      if (user) {
        storeLog.push({ path: url.pathname, cookie, version, status: 200 })
        return Response.json({ User: user })
      }
      const m = macaroon.newMacaroon({
        identifier: randomBytes(16),
        location: world.storeOrigin,
        rootKey,
      })
      m.addFirstPartyCaveat(`time-before ${new Date(Date.now() + 86_400_000).toISOString()}`)
      const cid = `is-authenticated-user ${b64url(randomBytes(8))}`
      const rk = randomBytes(24)
      keys.set(cid, rk)
      m.addThirdPartyCaveat(rk, cid, options.caveatLocation ?? world.dischargerOrigin)
      const exported = m.exportJSON()
      const Macaroon = options.v3Wrapper
        ? {
            m: exported,
            v: 3,
            ns: 'std:',
            cdata: { [b64url(Buffer.from(cid))]: b64url(Buffer.from('caveat-data')) },
          }
        : exported
      const status = options.always407 || !version ? 407 : 401
      storeLog.push({ path: url.pathname, cookie, version, status })
      return Response.json(
        {
          Code: 'macaroon discharge required',
          Message: 'authentication required',
          Info: { Macaroon, MacaroonPath: '../', CookieNameSuffix: 'authn' },
        },
        { status, headers: status === 401 ? { 'www-authenticate': 'Macaroon' } : {} },
      )
    },

    async discharger(request: Request): Promise<Response> {
      const url = new URL(request.url)
      const origin = url.origin
      if (url.pathname === '/login') {
        visited = true
        return new Response('logged in')
      }
      if (url.pathname === '/wait-token') {
        return visited
          ? Response.json({ kind: 'browser-window', token: 'tok-xyz' })
          : new Response(null, { status: 408 })
      }
      if (url.pathname === '/wait') {
        return visited
          ? Response.json({ Macaroon: mint(url.searchParams.get('cid')!, origin).exportJSON() })
          : new Response(null, { status: 408 })
      }
      const form = new URLSearchParams(await request.text())
      for (const [k, v] of url.searchParams) form.set(k, v)
      dischargeLog.push({ origin, form })
      const id = form.get('id') ?? Buffer.from(form.get('id64') ?? '', 'base64url').toString()
      if (!keys.has(id)) return bakeryError(400, 'bad request', 'unknown caveat id')
      if (world.mode === 'refuse') return bakeryError(403, 'permission denied', 'no way, José')
      if (
        origin === world.dischargerOrigin &&
        world.mode === 'interaction' &&
        form.get('token') !== 'tok-xyz'
      ) {
        return bakeryError(401, 'interaction required', 'log in first', {
          InteractionMethods: {
            'browser-window': {
              VisitURL: options.visitUrl ?? 'login?w=1',
              WaitTokenURL: 'wait-token?w=1',
            },
          },
        })
      }
      if (origin === world.dischargerOrigin && world.mode === 'legacy') {
        return bakeryError(401, 'interaction required', 'log in first', {
          VisitURL: `${origin}/login`,
          WaitURL: `${origin}/wait?cid=${encodeURIComponent(id)}`,
        })
      }
      return Response.json({ Macaroon: mint(id, origin).exportJSON() })
    },
  }

  function mint(id: string, origin: string): Macaroon {
    const d = macaroon.newMacaroon({ identifier: id, rootKey: keys.get(id)!, location: origin })
    d.addFirstPartyCaveat('declared username alice')
    if (options.nested && origin === world.dischargerOrigin) {
      const cid = `has-agreed terms/1 ${b64url(randomBytes(4))}`
      const rk = randomBytes(24)
      keys.set(cid, rk)
      d.addThirdPartyCaveat(rk, cid, world.secondOrigin)
    }
    return d
  }

  /** Verifies any `macaroon-*` cookie slice; returns the declared user. */
  function authenticate(cookie: string | null): string | undefined {
    for (const part of (cookie ?? '').split(';')) {
      const [name, value] = part.trim().split('=', 2) as [string, string | undefined]
      if (!name.startsWith('macaroon-') || !value) continue
      try {
        const json = JSON.parse(Buffer.from(value, 'base64').toString())
        const [primary, ...discharges] = macaroon.importMacaroons(json)
        let user: string | undefined
        primary!.verify(
          rootKey,
          (condition) => {
            const time = /^time-before (.+)$/.exec(condition)
            if (time) return Date.now() < Date.parse(time[1]!) ? null : 'expired'
            const declared = /^declared username (.+)$/.exec(condition)
            if (declared) return ((user = declared[1]), null)
            return 'unknown caveat'
          },
          discharges,
        )
        return user
      } catch {
        // an invalid slice authenticates nobody
      }
    }
    return undefined
  }

  return world
}

function bakeryError(
  status: number,
  Code: string,
  Message: string,
  Info?: Record<string, unknown>,
) {
  return Response.json(
    { Code, Message, ...(Info ? { Info } : {}) },
    { status, headers: status === 401 ? { 'www-authenticate': 'Macaroon' } : {} },
  )
}
