/** One link of a `Link` header (RFC 8288). */
export interface Link {
  /** The target, resolved against the base URL when one was given. */
  uri: string
  /** Link relation types, lower-cased. */
  rel: string[]
  /** Every other parameter, names lower-cased. */
  params: Record<string, string>
}

/** Parses a `Link` header; malformed links are skipped, never thrown. */
export function parseLinkHeader(value: string | null, base?: string | URL): Link[] {
  if (!value) return []
  const links: Link[] = []
  const re =
    /<([^>]*)>((?:\s*;\s*[^;,=\s]+(?:\s*=\s*(?:"(?:[^"\\]|\\.)*"|[^;,\s]*))?)*)\s*(?:,|$)/gy
  let pos = 0
  const text = value.trim()
  while (pos < text.length) {
    re.lastIndex = pos
    const m = re.exec(text)
    if (!m) {
      const next = text.indexOf(',', pos)
      if (next < 0) break
      pos = next + 1
      while (text[pos] === ' ') pos++
      continue
    }
    pos = re.lastIndex
    while (text[pos] === ' ' || text[pos] === '\t') pos++
    let uri = m[1]!.trim()
    if (base !== undefined) {
      try {
        uri = new URL(uri, base).toString()
      } catch {
        continue
      }
    }
    const params: Record<string, string> = {}
    const paramRe = /;\s*([^;,=\s]+)(?:\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;,\s]*)))?/g
    for (const p of m[2]!.matchAll(paramRe)) {
      const name = p[1]!.toLowerCase()
      if (name in params) continue
      params[name] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : (p[3] ?? '')
    }
    const rel = (params.rel ?? '').toLowerCase().split(/\s+/).filter(Boolean)
    delete params.rel
    links.push({ uri, rel, params })
  }
  return links
}

/** The `rel="next"` target of a response's `Link` header, resolved against `base`. */
export function nextLink(headers: Headers, base: string | URL): URL | undefined {
  const link = parseLinkHeader(headers.get('link'), base).find((l) => l.rel.includes('next'))
  return link ? new URL(link.uri) : undefined
}
