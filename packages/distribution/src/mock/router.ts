/** A parsed `/v2/…` path. */
export type Route =
  | { kind: 'base' }
  | { kind: 'catalog' }
  | { kind: 'tags'; name: string }
  | { kind: 'manifest'; name: string; reference: string }
  | { kind: 'referrers'; name: string; digest: string }
  | { kind: 'uploadStart'; name: string }
  | { kind: 'upload'; name: string; id: string }
  | { kind: 'blob'; name: string; digest: string }

// Names may contain `/` and even `blobs` or `manifests` components: anchor on the right,
// most specific suffix first.
const ROUTES: Array<[RegExp, (m: RegExpExecArray) => Route]> = [
  [/^(.+)\/tags\/list$/, (m) => ({ kind: 'tags', name: m[1]! })],
  [/^(.+)\/manifests\/([^/]+)$/, (m) => ({ kind: 'manifest', name: m[1]!, reference: m[2]! })],
  [/^(.+)\/referrers\/([^/]+)$/, (m) => ({ kind: 'referrers', name: m[1]!, digest: m[2]! })],
  [/^(.+)\/blobs\/uploads\/?$/, (m) => ({ kind: 'uploadStart', name: m[1]! })],
  [/^(.+)\/blobs\/uploads\/([^/]+)$/, (m) => ({ kind: 'upload', name: m[1]!, id: m[2]! })],
  [/^(.+)\/blobs\/([^/]+)$/, (m) => ({ kind: 'blob', name: m[1]!, digest: m[2]! })],
]

/** Parses a request path into a route, or undefined when it is no registry endpoint. */
export function route(pathname: string): Route | undefined {
  if (!pathname.startsWith('/v2/')) return pathname === '/v2' ? { kind: 'base' } : undefined
  let rest: string
  try {
    rest = decodeURIComponent(pathname.slice(4))
  } catch {
    return undefined
  }
  if (rest === '') return { kind: 'base' }
  if (rest === '_catalog') return { kind: 'catalog' }
  for (const [pattern, build] of ROUTES) {
    const match = pattern.exec(rest)
    if (match) return build(match)
  }
  return undefined
}
