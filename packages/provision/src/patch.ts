import jsonpatch, { type Operation } from 'fast-json-patch'

/** An RFC 6902 JSON patch. */
export type JsonPatch = Operation[]

function plain(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value))
}

function kind(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  return typeof value
}

function diff(source: unknown, target: unknown, path: string, out: Operation[], tests: boolean) {
  if (kind(source) === 'object' && kind(target) === 'object') {
    const s = source as Record<string, unknown>
    const t = target as Record<string, unknown>
    for (const key of Object.keys(s)) {
      const at = `${path}/${jsonpatch.escapePathComponent(key)}`
      if (!Object.hasOwn(t, key)) {
        if (tests) out.push({ op: 'test', path: at, value: s[key] })
        out.push({ op: 'remove', path: at })
      } else diff(s[key], t[key], at, out, tests)
    }
    for (const key of Object.keys(t)) {
      if (!Object.hasOwn(s, key)) {
        out.push({
          op: 'add',
          path: `${path}/${jsonpatch.escapePathComponent(key)}`,
          value: t[key],
        })
      }
    }
    return
  }
  if (jsonpatch._areEquals(source, target)) return
  if (tests) out.push({ op: 'test', path, value: source })
  out.push({ op: 'replace', path, value: target })
}

/**
 * Generates an RFC 6902 patch turning `source` into `target`, like the seed's `GenPatch`:
 * objects are diffed key by key, arrays and scalars are replaced whole, and every `replace`
 * or `remove` is preceded by a `test` of the old value. In paranoid mode the patch starts with
 * one `test` of the whole source object (path `""`) instead, so any concurrent change makes
 * the server reject it.
 */
export function genPatch(source: unknown, target: unknown, paranoid = false): JsonPatch {
  const s = plain(source)
  const t = plain(target)
  const out: Operation[] = paranoid ? [{ op: 'test', path: '', value: s }] : []
  diff(s, t, '', out, !paranoid)
  return out
}
