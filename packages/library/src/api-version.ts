/** The API version from which the v2 upload endpoints (presigned and multipart) exist. */
export const API_VERSION_V2_UPLOAD = '2.0.0-alpha.1'

/** The API version from which `v2/tags` (tags per architecture) exist. */
export const API_VERSION_V2_ARCH_TAGS = '2.0.0-alpha.2'

const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/

type Parsed = { core: [number, number, number]; pre: string[] }

function parse(version: string): Parsed | undefined {
  const m = SEMVER.exec(version)
  if (!m) return undefined
  return {
    core: [Number(m[1]), Number(m[2]), Number(m[3])],
    pre: m[4] === undefined ? [] : m[4].split('.'),
  }
}

function compareIdentifiers(a: string, b: string): number {
  const an = /^\d+$/.test(a)
  const bn = /^\d+$/.test(b)
  if (an && bn) return Math.sign(Number(a) - Number(b))
  if (an !== bn) return an ? -1 : 1
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * Compares strict semantic versions with pre-release precedence; undefined when either is not
 * strict semver (a leading `v` is not, as in the Go client).
 */
export function compareVersions(a: string, b: string): number | undefined {
  const x = parse(a)
  const y = parse(b)
  if (!x || !y) return undefined
  for (let i = 0; i < 3; i++) if (x.core[i] !== y.core[i]) return Math.sign(x.core[i]! - y.core[i]!)
  if (!x.pre.length || !y.pre.length) return Math.sign(y.pre.length - x.pre.length)
  for (let i = 0; i < Math.min(x.pre.length, y.pre.length); i++) {
    const c = compareIdentifiers(x.pre[i]!, y.pre[i]!)
    if (c) return c
  }
  return Math.sign(x.pre.length - y.pre.length)
}

/** True when `apiVersion` is valid semver at or above `minimum`. */
export function apiVersionAtLeast(apiVersion: string, minimum: string): boolean {
  return (compareVersions(apiVersion, minimum) ?? -1) >= 0
}
