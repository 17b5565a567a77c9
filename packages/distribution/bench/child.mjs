// One timed Wharf operation in its own process, so its peak RSS is its own. Prints JSON.
import { readFileSync } from 'node:fs'
import { copy, createRegistryClient } from '@wharf/distribution'
import { pullToLayout, pushFromLayout } from '@wharf/distribution/node'
import { createFastFetch } from '@wharf/transfer/node'

// undici.request under core-http: the bulk-byte path Node users should pass.
const connect = (registry) =>
  createRegistryClient({ registry, plainHttp: true, fetch: createFastFetch() })

const [op, a, b, c] = process.argv.slice(2)
const started = performance.now()
if (op === 'pull' || op === 'pull-nosync') {
  // a: registry host, b: repository, c: layout directory
  const repo = connect(a).repository(b)
  const sync = op === 'pull'
  // BENCH_PULL: layout options the bench compares (JSON)
  const tuning = JSON.parse(process.env.BENCH_PULL || '{}')
  await pullToLayout(repo, 'v1', c, { partSize: 8 * 1024 * 1024, concurrency: 4, sync, ...tuning })
} else if (op === 'push') {
  // a: layout directory, b: registry host, c: repository
  const repo = connect(b).repository(c)
  await pushFromLayout(a, 'v1', repo, { concurrency: 4 })
} else if (op === 'copy') {
  // a: source host, b: destination host, c: repository on both
  const source = connect(a).repository(c)
  const destination = connect(b).repository(c)
  await copy(source, destination, { reference: 'v1', concurrency: 4 })
} else throw new Error(`unknown op ${op}`)
const seconds = (performance.now() - started) / 1000
// VmHWM, not resourceUsage().maxRSS: on Linux ru_maxrss survives execve and would include
// the parent's resident set at fork time.
const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))
const maxRssMiB = hwm ? Number(hwm[1]) / 1024 : process.resourceUsage().maxRSS / 1024
console.log(JSON.stringify({ seconds, maxRssMiB }))
