import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'

/**
 * Walks the relative ESM import graph from a built entry file and returns every `node:`
 * (or bare Node builtin) specifier it reaches, with the file that imports it.
 */
export function findNodeImports(entry: string): string[] {
  const seen = new Set<string>()
  const found: string[] = []
  const builtins =
    /^(node:|(fs|path|http|https|net|tls|crypto|stream|child_process|os|url|zlib|util|events)(\/|$))/
  const visit = (file: string) => {
    if (seen.has(file)) return
    seen.add(file)
    const code = readFileSync(file, 'utf8')
    for (const m of code.matchAll(
      /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g,
    )) {
      const spec = (m[1] ?? m[2])!
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec))
      else if (builtins.test(spec)) found.push(`${file}: ${spec}`)
    }
  }
  visit(resolve(entry))
  return found
}
