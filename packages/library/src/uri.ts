/**
 * The parts of a URI the way Go's `net/url` splits them, which library references are defined
 * by (WHATWG `URL` differs on opaque paths, percent-decoding and IPv6 zones).
 */
export interface UriParts {
  /** Lower-cased scheme, `''` when there is none. */
  scheme: string
  /** The rootless path after `scheme:`, kept as written. */
  opaque: string
  /** True when an authority (`//…`) carried userinfo. */
  hasUser: boolean
  /** Host and port, percent-decoded. */
  host: string
  /** Percent-decoded path. */
  path: string
  rawQuery: string
  fragment: string
}

/** A URI could not be split; `part` says where it went wrong. */
export class UriSyntaxError extends Error {
  constructor(
    readonly part: 'scheme' | 'host' | 'path' | 'fragment',
    message: string,
  ) {
    super(message)
  }
}

type Mode = 'host' | 'zone' | 'path' | 'fragment' | 'user'

const ALNUM = /[A-Za-z0-9]/
const HOST_SUB_DELIMS = new Set('!$&\'()*+,;=:[]<>"')

/** Whether Go's `net/url` would percent-escape ASCII character `c` in `mode`. */
function shouldEscape(c: string, mode: Mode): boolean {
  if (ALNUM.test(c)) return false
  if ((mode === 'host' || mode === 'zone') && HOST_SUB_DELIMS.has(c)) return false
  if ('-_.~'.includes(c)) return false
  if ('$&+,/:;=?@'.includes(c)) {
    if (mode === 'path') return c === '?'
    if (mode === 'user') return '@/?:'.includes(c)
    if (mode === 'fragment') return false
  }
  if (mode === 'fragment' && "!()*'".includes(c)) return false
  return true
}

const isHex = (c: string | undefined) => c !== undefined && /^[0-9A-Fa-f]$/.test(c)

/** Percent-decodes `s` with Go's per-component rules; throws on a malformed escape. */
function percentDecode(s: string, mode: Mode, part: UriSyntaxError['part']): string {
  const bytes: number[] = []
  const encoder = new TextEncoder()
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!
    if (c === '%') {
      if (!isHex(s[i + 1]) || !isHex(s[i + 2])) {
        throw new UriSyntaxError(part, `invalid URL escape ${JSON.stringify(s.slice(i, i + 3))}`)
      }
      const value = Number.parseInt(s.slice(i + 1, i + 3), 16)
      const triplet = s.slice(i, i + 3)
      if (mode === 'host' && value < 0x80 && triplet !== '%25') {
        throw new UriSyntaxError(part, `invalid URL escape ${JSON.stringify(triplet)} in host`)
      }
      if (
        mode === 'zone' &&
        value < 0x80 &&
        triplet !== '%25' &&
        value !== 0x20 &&
        shouldEscape(String.fromCharCode(value), 'host')
      ) {
        throw new UriSyntaxError(part, `invalid URL escape ${JSON.stringify(triplet)} in zone`)
      }
      bytes.push(value)
      i += 2
      continue
    }
    if ((mode === 'host' || mode === 'zone') && c.charCodeAt(0) < 0x80 && shouldEscape(c, mode)) {
      throw new UriSyntaxError(part, `invalid character ${JSON.stringify(c)} in host name`)
    }
    bytes.push(...encoder.encode(c))
  }
  return new TextDecoder().decode(new Uint8Array(bytes))
}

/** Percent-escapes `s` as Go's `net/url` does when writing a URI component. */
export function escapeComponent(s: string, mode: 'host' | 'path'): string {
  let out = ''
  for (const c of s) {
    if (c.charCodeAt(0) < 0x80 && !shouldEscape(c, mode)) out += c
    else
      for (const b of new TextEncoder().encode(c))
        out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

function splitScheme(raw: string): { scheme: string; rest: string } {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!
    if (/[A-Za-z]/.test(c)) continue
    if (/[0-9+.-]/.test(c)) {
      if (i === 0) return { scheme: '', rest: raw }
      continue
    }
    if (c === ':') {
      if (i === 0) throw new UriSyntaxError('scheme', 'missing protocol scheme')
      return { scheme: raw.slice(0, i), rest: raw.slice(i + 1) }
    }
    return { scheme: '', rest: raw }
  }
  return { scheme: '', rest: raw }
}

const validPort = (colonPort: string) => colonPort === '' || /^:[0-9]*$/.test(colonPort)

function parseHost(host: string): string {
  if (host.startsWith('[')) {
    const close = host.lastIndexOf(']')
    if (close < 0) throw new UriSyntaxError('host', "missing ']' in host")
    const colonPort = host.slice(close + 1)
    if (!validPort(colonPort)) {
      throw new UriSyntaxError('host', `invalid port ${JSON.stringify(colonPort)} after host`)
    }
    const zone = host.slice(0, close).indexOf('%25')
    if (zone >= 0) {
      return (
        percentDecode(host.slice(0, zone), 'host', 'host') +
        percentDecode(host.slice(zone, close), 'zone', 'host') +
        percentDecode(host.slice(close), 'host', 'host')
      )
    }
  } else {
    const colon = host.lastIndexOf(':')
    if (colon >= 0 && !validPort(host.slice(colon))) {
      throw new UriSyntaxError(
        'host',
        `invalid port ${JSON.stringify(host.slice(colon))} after host`,
      )
    }
  }
  return percentDecode(host, 'host', 'host')
}

/** Splits `raw` like Go's `url.Parse`; throws UriSyntaxError where Go returns an error. */
export function parseUri(raw: string): UriParts {
  if ([...raw].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) {
    throw new UriSyntaxError('path', 'invalid control character in URL')
  }
  const hash = raw.indexOf('#')
  const beforeFragment = hash < 0 ? raw : raw.slice(0, hash)
  const { scheme, rest: afterScheme } = splitScheme(beforeFragment)
  const parts: UriParts = {
    scheme: scheme.toLowerCase(),
    opaque: '',
    hasUser: false,
    host: '',
    path: '',
    rawQuery: '',
    fragment: '',
  }
  let rest = afterScheme
  if (rest.endsWith('?') && rest.indexOf('?') === rest.length - 1) rest = rest.slice(0, -1)
  else if (rest.includes('?')) {
    parts.rawQuery = rest.slice(rest.indexOf('?') + 1)
    rest = rest.slice(0, rest.indexOf('?'))
  }
  if (!rest.startsWith('/') && parts.scheme !== '') parts.opaque = rest
  else {
    if (!rest.startsWith('/') && rest.split('/')[0]!.includes(':')) {
      throw new UriSyntaxError('scheme', 'first path segment in URL cannot contain colon')
    }
    if (rest.startsWith('//') && (parts.scheme !== '' || !rest.startsWith('///'))) {
      let authority = rest.slice(2)
      const slash = authority.indexOf('/')
      rest = slash < 0 ? '' : authority.slice(slash)
      if (slash >= 0) authority = authority.slice(0, slash)
      const at = authority.lastIndexOf('@')
      parts.host = parseHost(authority.slice(at + 1))
      if (at >= 0) {
        const user = authority.slice(0, at)
        if (!/^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(user)) {
          throw new UriSyntaxError('host', 'invalid userinfo')
        }
        percentDecode(user, 'user', 'host')
        parts.hasUser = true
      }
    }
    parts.path = percentDecode(rest, 'path', 'path')
  }
  if (hash >= 0) parts.fragment = percentDecode(raw.slice(hash + 1), 'fragment', 'fragment')
  return parts
}
