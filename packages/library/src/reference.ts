import { RefError } from './errors.js'
import { escapeComponent, parseUri, type UriParts, UriSyntaxError } from './uri.js'

/** The URI scheme of library references. */
export const SCHEME = 'library'

/**
 * A parsed library reference, `library:[//host[:port]][/]path[:tag[,tag…]]` (the seed's `Ref`).
 * `tags` is null when the reference names none.
 */
export interface LibraryRef {
  /** `host` or `host:port` (IPv6 in brackets, zone decoded); `''` when there is none. */
  host: string
  /** `project`, `entity/project` or `entity/collection/container`, without a leading `/`. */
  path: string
  tags: string[] | null
}

function toRefError(error: unknown, input: string): never {
  if (error instanceof UriSyntaxError) {
    const code =
      error.part === 'scheme'
        ? 'scheme-not-valid'
        : error.part === 'fragment'
          ? 'fragment-not-permitted'
          : 'path-not-valid'
    throw new RefError(code, input, error.message)
  }
  throw error
}

function fromParts(u: UriParts, input: string): LibraryRef {
  if (u.scheme !== SCHEME) {
    throw new RefError('scheme-not-valid', input, u.scheme ? `scheme "${u.scheme}"` : 'no scheme')
  }
  if (u.hasUser) throw new RefError('user-not-permitted', input)
  if (u.rawQuery !== '') throw new RefError('query-not-permitted', input)
  if (u.fragment !== '') throw new RefError('fragment-not-permitted', input)
  const raw = u.opaque !== '' ? u.opaque : u.path
  if (raw === '') throw new RefError('path-not-valid', input, 'empty path')
  const pieces = raw.split(':')
  if (pieces.length > 2) throw new RefError('path-not-valid', input, 'more than one ":"')
  const path = pieces[0]!.startsWith('/') ? pieces[0]!.slice(1) : pieces[0]!
  if (path === '') throw new RefError('path-not-valid', input, 'empty path')
  if (pieces.length === 1) return { host: u.host, path, tags: null }
  if (pieces[1] === '') throw new RefError('tags-not-valid', input, 'empty tag list after ":"')
  return { host: u.host, path, tags: pieces[1]!.split(',') }
}

/** Longest reference parsed; real ones are a few hundred characters at most. */
const MAX_REF_LENGTH = 4096

/** Refuses what is not a string or is too long to be a reference, before any parsing. */
function checkInput(raw: unknown): asserts raw is string {
  if (typeof raw !== 'string') throw new RefError('path-not-valid', String(raw), 'not a string')
  if (raw.length > MAX_REF_LENGTH) {
    throw new RefError('path-not-valid', raw, `longer than ${MAX_REF_LENGTH} characters`)
  }
}

function parse(raw: string, input = raw): UriParts {
  try {
    return parseUri(raw)
  } catch (error) {
    // A reference with another scheme is reported as such, whatever else is wrong with it.
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(raw)?.[1]?.toLowerCase()
    if (scheme !== undefined && scheme !== SCHEME) {
      throw new RefError('scheme-not-valid', input, `scheme "${scheme}"`)
    }
    return toRefError(error, input)
  }
}

/**
 * Parses a library reference exactly as the seed's `Parse`: `library:path:tags`,
 * `library:/path:tags`, `library:///path:tags`, `library://host[:port]/path:tags`.
 * Throws {@link RefError} with a code naming the broken rule.
 */
export function parseLibraryRef(raw: string): LibraryRef {
  checkInput(raw)
  return fromParts(parse(raw), raw)
}

/**
 * Like {@link parseLibraryRef}, but `library://a` and `library://a/b/c` (one or three path
 * components) are read as hostless, the way Singularity writes library references.
 */
export function parseAmbiguousLibraryRef(raw: string): LibraryRef {
  checkInput(raw)
  if (raw.startsWith('library://') && !raw.startsWith('library:///')) {
    const hostless = parse(raw.replace('library://', 'library:///'), raw)
    const components = hostless.path.slice(1).split('/').length
    if (components === 1 || components === 3) return fromParts(hostless, raw)
  }
  return parseLibraryRef(raw)
}

/** The reference as text: `library:<path>[:tags]`, or `library://<host>/<path>[:tags]`. */
export function formatLibraryRef(ref: LibraryRef): string {
  const raw = ref.tags?.length ? `${ref.path}:${ref.tags.join(',')}` : ref.path
  if (ref.host === '') return `${SCHEME}:${raw}`
  const path = escapeComponent(raw, 'path')
  return `${SCHEME}://${escapeComponent(ref.host, 'host')}${path.startsWith('/') ? '' : '/'}${path}`
}

/** The host without its port; IPv6 literals lose their brackets (the seed's `Hostname`). */
export function libraryRefHostname(ref: LibraryRef): string {
  const colon = ref.host.indexOf(':')
  if (colon < 0) return ref.host
  const bracket = ref.host.indexOf(']')
  if (bracket >= 0) return ref.host.slice(0, bracket).replace(/^\[/, '')
  return ref.host.slice(0, colon)
}

/** The port of the host, `''` when there is none (the seed's `Port`). */
export function libraryRefPort(ref: LibraryRef): string {
  if (!ref.host.includes(':')) return ''
  const end = ref.host.indexOf(']:')
  if (end >= 0) return ref.host.slice(end + 2)
  if (ref.host.includes(']')) return ''
  return ref.host.slice(ref.host.indexOf(':') + 1)
}
