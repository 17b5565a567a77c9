/** A parsed resource scope: `repository:library/alpine:pull,push`. */
interface Scope {
  type: string
  name: string
  actions: Set<string>
}

/** `repository:<name>:<actions>`, the scope a registry operation on `repository` needs. */
export function scopeFor(repository: string, actions: string | readonly string[]): string {
  const list = typeof actions === 'string' ? actions.split(',') : actions
  return `repository:${repository}:${[...new Set(list)].filter(Boolean).join(',')}`
}

/** Splits a scope: type at the first `:`, actions at the last (names may hold a port). */
function parseScope(text: string): Scope | undefined {
  const first = text.indexOf(':')
  const last = text.lastIndexOf(':')
  if (first <= 0 || last <= first + 1) return undefined
  return {
    type: text.slice(0, first).replace(/\(.*\)$/, ''),
    name: text.slice(first + 1, last),
    actions: new Set(
      text
        .slice(last + 1)
        .split(',')
        .filter(Boolean),
    ),
  }
}

/**
 * Merges scope lists (arrays of scopes or space-separated strings) into one sorted list with
 * one entry per resource and the union of its actions, so one token covers an operation.
 * Unparseable entries are dropped.
 */
export function mergeScopes(...lists: Array<readonly string[] | string | undefined>): string[] {
  const merged = new Map<string, Scope>()
  for (const list of lists) {
    const items = typeof list === 'string' ? list.split(' ') : (list ?? [])
    for (const item of items) {
      const scope = parseScope(item.trim())
      if (!scope) continue
      const key = `${scope.type}:${scope.name}`
      const seen = merged.get(key)
      if (seen) for (const a of scope.actions) seen.actions.add(a)
      else merged.set(key, scope)
    }
  }
  return [...merged.values()]
    .map((s) => `${s.type}:${s.name}:${[...s.actions].sort().join(',')}`)
    .sort()
}
