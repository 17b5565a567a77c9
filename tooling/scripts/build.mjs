// Builds the package in the current directory: refreshes src/version.ts from package.json,
// then compiles src/ to dist/ with declarations. dist/ is overwritten in place, never emptied
// first, so packages that import it keep working while it rebuilds.
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'

const pkg = JSON.parse(readFileSync('package.json', 'utf8'))
const version = `/** This package's version, sent in the User-Agent. */\nexport const VERSION = '${pkg.version}'\n`
let current = ''
try {
  current = readFileSync('src/version.ts', 'utf8')
} catch {}
if (current !== version) writeFileSync('src/version.ts', version)
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' })
