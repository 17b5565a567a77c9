// Rewrites every README code block marked `<!-- example: path -->` with the file's content,
// so README examples stay the files the tests run. Usage: node sync-readme-examples.mjs [dir…]
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

for (const dir of process.argv.slice(2)) {
  const path = join(dir, 'README.md')
  const readme = readFileSync(path, 'utf8')
  const next = readme.replace(
    /(<!-- example: (\S+) -->\s*```ts\n)[\s\S]*?```/g,
    (_m, head, file) => `${head}${readFileSync(join(dir, file), 'utf8')}\`\`\``,
  )
  if (next !== readme) writeFileSync(path, next)
}
