import { readFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * The examples a package README embeds: each ```ts block preceded by
 * `<!-- example: path -->`, with the file's current content for comparison.
 */
export function readmeExamples(
  packageDir: string,
): Array<{ file: string; inReadme: string; onDisk: string }> {
  const readme = readFileSync(join(packageDir, 'README.md'), 'utf8')
  const out: Array<{ file: string; inReadme: string; onDisk: string }> = []
  for (const m of readme.matchAll(/<!-- example: (\S+) -->\s*```ts\n([\s\S]*?)```/g)) {
    out.push({
      file: m[1]!,
      inReadme: m[2]!,
      onDisk: readFileSync(join(packageDir, m[1]!), 'utf8'),
    })
  }
  return out
}
