/** One challenge of a `WWW-Authenticate` (or `Proxy-Authenticate`) header. */
export interface Challenge {
  /** The auth scheme, lower-cased (`bearer`, `basic`, `macaroon` …). */
  scheme: string
  /** Parameters with lower-cased names and unquoted values (a null-prototype object). */
  params: Record<string, string>
  /** The token68 form (`Negotiate abc==`), when the challenge uses it instead of parameters. */
  token68?: string
}

/** Longest header parsed; anything longer is treated as malformed. */
const MAX_HEADER = 16 * 1024
const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/
const TOKEN68 = /[A-Za-z0-9\-._~+/]/

class Malformed extends Error {}

/** A cursor over the header text; every method advances and never backtracks past `end`. */
class Reader {
  pos = 0
  constructor(readonly text: string) {}
  get done(): boolean {
    return this.pos >= this.text.length
  }
  peek(): string {
    return this.text[this.pos] ?? ''
  }
  /** Skips spaces and tabs; returns how many. */
  ows(): number {
    const start = this.pos
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++
    return this.pos - start
  }
  /** Skips empty list elements and whitespace between them; returns true if a comma was seen. */
  commas(): boolean {
    let seen = false
    for (this.ows(); this.peek() === ','; this.ows()) {
      this.pos++
      seen = true
    }
    return seen
  }
  take(pattern: RegExp): string {
    const start = this.pos
    while (!this.done && pattern.test(this.peek())) this.pos++
    return this.text.slice(start, this.pos)
  }
  quoted(): string {
    this.pos++ // opening quote
    let out = ''
    for (;;) {
      if (this.done) throw new Malformed('unterminated quoted string')
      const c = this.text[this.pos++]!
      if (c === '"') return out
      if (c === '\\') {
        if (this.done) throw new Malformed('dangling escape')
        const next = this.text[this.pos++]!
        if (!isQdChar(next)) throw new Malformed('control character')
        out += next
      } else if (isQdChar(c)) out += c
      else throw new Malformed('control character')
    }
  }
}

/** HTAB, SP, VCHAR and obs-text: what may appear inside a quoted string. */
function isQdChar(c: string): boolean {
  const code = c.charCodeAt(0)
  return code === 9 || (code >= 0x20 && code !== 0x7f && code <= 0xff)
}

/** After a scheme and its space: token68 when it is followed by the end or a comma. */
function tryToken68(r: Reader): string | undefined {
  const start = r.pos
  const head = r.take(TOKEN68)
  const value = head + r.take(/=/)
  r.ows()
  if (head && (r.done || r.peek() === ',')) return value
  r.pos = start
  return undefined
}

/** True when the text at the cursor is `token BWS "="`: an auth-param rather than a new scheme. */
function atParam(r: Reader): boolean {
  const start = r.pos
  const name = r.take(TCHAR)
  r.ows()
  const yes = name !== '' && r.peek() === '='
  r.pos = start
  return yes
}

function readParams(r: Reader, params: Record<string, string>): void {
  for (;;) {
    const name = r.take(TCHAR).toLowerCase()
    if (!name) throw new Malformed('expected a parameter name')
    r.ows()
    if (r.peek() !== '=') throw new Malformed('expected "="')
    r.pos++
    r.ows()
    const quoted = r.peek() === '"'
    const value = quoted ? r.quoted() : r.take(TCHAR)
    if (!quoted && !value) throw new Malformed('empty parameter value')
    if (Object.hasOwn(params, name)) throw new Malformed(`duplicate parameter ${name}`)
    params[name] = value
    r.ows()
    if (r.done) return
    if (r.peek() !== ',') throw new Malformed('expected ","')
    const mark = r.pos
    r.commas()
    if (r.done) return
    if (!atParam(r)) {
      r.pos = mark // a new challenge starts here
      return
    }
  }
}

/**
 * Parses a `WWW-Authenticate` header (RFC 7235): several challenges in one header (or several
 * headers joined with commas), quoted strings with escapes, token68, case-insensitive scheme
 * and parameter names (returned lower-cased). Malformed input — unterminated quotes, control
 * characters, duplicate parameters, garbage between challenges, more than 16 KiB — yields an
 * empty list, never a throw, so a hostile server cannot steer a client with half a header.
 */
export function parseWWWAuthenticate(header: string | null | undefined): Challenge[] {
  if (typeof header !== 'string' || header.length > MAX_HEADER) return []
  const r = new Reader(header)
  const out: Challenge[] = []
  try {
    r.commas()
    while (!r.done) {
      const scheme = r.take(TCHAR).toLowerCase()
      if (!scheme) throw new Malformed('expected an auth scheme')
      const challenge: Challenge = { scheme, params: Object.create(null) }
      out.push(challenge)
      const spaces = r.ows()
      if (r.done) break
      if (r.peek() !== ',') {
        if (spaces === 0) throw new Malformed('expected a space after the scheme')
        const token68 = tryToken68(r)
        if (token68 !== undefined) challenge.token68 = token68
        else readParams(r, challenge.params)
      }
      if (!r.done && !r.commas()) throw new Malformed('expected ","')
    }
  } catch (error) {
    if (error instanceof Malformed) return []
    throw error
  }
  return out
}
