// One timed Wharf operation in its own process, so its peak RSS is its own. Prints JSON.
import { copy, createRegistryClient } from '@wharf/distribution'
import { pullToLayout, pushFromLayout } from '@wharf/distribution/node'

const [op, a, b, c] = process.argv.slice(2)
const started = performance.now()
if (op === 'pull') {
  // a: registry host, b: repository, c: layout directory
  const repo = createRegistryClient({ registry: a, plainHttp: true }).repository(b)
  await pullToLayout(repo, 'v1', c, { rangedDownloadThreshold: 16 * 1024 * 1024, concurrency: 4 })
} else if (op === 'push') {
  // a: layout directory, b: registry host, c: repository
  const repo = createRegistryClient({ registry: b, plainHttp: true }).repository(c)
  await pushFromLayout(a, 'v1', repo, { concurrency: 4 })
} else if (op === 'copy') {
  // a: source host, b: destination host, c: repository on both
  const source = createRegistryClient({ registry: a, plainHttp: true }).repository(c)
  const destination = createRegistryClient({ registry: b, plainHttp: true }).repository(c)
  await copy(source, destination, { reference: 'v1', concurrency: 4 })
} else throw new Error(`unknown op ${op}`)
const seconds = (performance.now() - started) / 1000
console.log(JSON.stringify({ seconds, maxRssMiB: process.resourceUsage().maxRSS / 1024 }))
