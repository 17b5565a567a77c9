/**
 * A small reader for the YAML subset charm metadata uses: block mappings and sequences,
 * flow sequences/mappings of scalars, quoted and plain scalars, `|`/`>` block scalars and
 * comments. Anything else raises an Error (the store then answers `invalid charm or bundle`).
 */
interface Line {
  indent: number
  text: string
  no: number
}

function stripComment(text: string): string {
  let quote = ''
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quote) {
      if (c === quote) quote = ''
    } else if (c === '"' || c === "'") quote = c
    else if (c === '#' && (i === 0 || text[i - 1] === ' ')) return text.slice(0, i).trimEnd()
  }
  return text.trimEnd()
}

function scalar(raw: string): unknown {
  const s = raw.trim()
  if (s === '' || s === '~' || s === 'null') return null
  if (s === 'true') return true
  if (s === 'false') return false
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s)
  if (s.startsWith('"')) return JSON.parse(s)
  if (s.startsWith("'")) return s.slice(1, -1).replaceAll("''", "'")
  if (s.startsWith('[')) {
    const inner = s.slice(1, -1).trim()
    return inner === '' ? [] : inner.split(',').map((p) => scalar(p))
  }
  if (s.startsWith('{')) {
    const inner = s.slice(1, -1).trim()
    const out: Record<string, unknown> = {}
    if (inner === '') return out
    for (const pair of inner.split(',')) {
      const at = pair.indexOf(':')
      if (at < 0) throw new Error(`bad flow mapping ${s}`)
      out[pair.slice(0, at).trim()] = scalar(pair.slice(at + 1))
    }
    return out
  }
  return s
}

const KEY = /^("[^"]*"|'[^']*'|[^\s:"'][^:]*?):(\s+|$)(.*)$/

class Reader {
  i = 0
  constructor(readonly lines: Line[]) {}

  block(indent: number): unknown {
    const first = this.lines[this.i]
    if (!first || first.indent < indent) return null
    return first.text.startsWith('- ') || first.text === '-'
      ? this.sequence(first.indent)
      : this.mapping(first.indent)
  }

  sequence(indent: number): unknown[] {
    const out: unknown[] = []
    for (let line = this.lines[this.i]; line && line.indent === indent; line = this.lines[this.i]) {
      if (!(line.text.startsWith('- ') || line.text === '-'))
        throw new Error(`line ${line.no}: expected "-"`)
      const rest = line.text.slice(1).trimStart()
      if (rest === '') {
        this.i++
        out.push(this.block(indent + 1))
      } else if (KEY.test(rest)) {
        // "- key: value" starts a mapping indented past the dash.
        line.indent = indent + line.text.length - rest.length
        line.text = rest
        out.push(this.mapping(line.indent))
      } else {
        this.i++
        out.push(scalar(rest))
      }
    }
    return out
  }

  mapping(indent: number): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    for (let line = this.lines[this.i]; line && line.indent === indent; line = this.lines[this.i]) {
      const m = KEY.exec(line.text)
      if (!m) throw new Error(`line ${line.no}: expected "key: value"`)
      const key = String(scalar(m[1]!))
      const value = m[3]!
      this.i++
      if (value === '|' || value === '>' || value === '|-' || value === '>-') {
        out[key] = this.blockScalar(indent, value[0] === '>')
      } else if (value === '') {
        const next = this.lines[this.i]
        const nested =
          next && (next.indent > indent || (next.indent === indent && next.text.startsWith('- ')))
        out[key] = nested ? this.block(next.indent) : null
      } else out[key] = scalar(value)
    }
    return out
  }

  blockScalar(indent: number, folded: boolean): string {
    const parts: string[] = []
    for (let line = this.lines[this.i]; line && line.indent > indent; line = this.lines[this.i]) {
      parts.push(line.text)
      this.i++
    }
    return parts.join(folded ? ' ' : '\n')
  }
}

/** Parses a YAML document of the supported subset. */
export function parseYaml(text: string): unknown {
  const lines: Line[] = []
  text.split(/\r?\n/).forEach((raw, index) => {
    if (raw.includes('\t') && /^\s*\t/.test(raw))
      throw new Error(`line ${index + 1}: tab indentation`)
    const body = stripComment(raw)
    if (body.trim() === '' || body.trim() === '---') return
    lines.push({ indent: body.length - body.trimStart().length, text: body.trim(), no: index + 1 })
  })
  const reader = new Reader(lines)
  const value = reader.block(0)
  if (reader.i < lines.length)
    throw new Error(`line ${lines[reader.i]!.no}: unexpected indentation`)
  return value
}
