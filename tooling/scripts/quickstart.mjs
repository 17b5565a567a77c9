// The README's two commands: `npm run demo` and `npm test`. Needs only Node and npm:
// pnpm comes from npx when it is not installed.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'

const PNPM = 'pnpm@10.34.9'
const mode = process.argv[2]
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' }

const hasPnpm = spawnSync('pnpm', ['--version'], { stdio: 'ignore' }).status === 0
function pnpm(...args) {
  const [cmd, argv] = hasPnpm ? ['pnpm', args] : ['npx', ['--yes', PNPM, ...args]]
  console.log(`\n$ pnpm ${args.join(' ')}`)
  execFileSync(cmd, argv, { stdio: 'inherit', env })
}

function install() {
  pnpm('install', '--frozen-lockfile')
  pnpm('exec', 'turbo', 'run', 'build', '--output-logs=errors-only')
}

// vitest is not among the runners CI reads, so print the plain closing line as well.
function vitest() {
  const out = 'node_modules/.cache/vitest-results.json'
  rmSync(out, { force: true })
  let failed = false
  try {
    pnpm(
      'exec',
      'vitest',
      'run',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${out}`,
    )
  } catch {
    failed = true
  }
  if (existsSync(out)) {
    const r = JSON.parse(readFileSync(out, 'utf8'))
    console.log(`\nnode ${process.version}`)
    console.log(
      `tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`,
    )
  }
  if (failed) process.exit(1)
}

if (mode === 'demo') {
  install()
  const cli = 'apps/cli/dist/bin.js'
  if (existsSync(cli)) execFileSync(process.execPath, [cli, 'demo'], { stdio: 'inherit', env })
  else pnpm('exec', 'tsx', 'packages/core-http/examples/usage.ts')
} else if (mode === 'test') {
  install()
  pnpm('exec', 'turbo', 'run', 'lint', 'typecheck', 'publint', '--output-logs=errors-only')
  vitest()
} else if (mode === 'vitest') {
  vitest()
} else {
  console.error('usage: quickstart.mjs demo|test|vitest')
  process.exit(2)
}
