// One download in its own process, so that its peak RSS is its own. Prints a JSON line.
import { readFileSync } from 'node:fs'
import { createHttpClient } from '@wharf/core-http'
import { rangeHeader } from '@wharf/transfer'
import { createFastFetch, downloadToFile } from '@wharf/transfer/node'

const o = JSON.parse(process.argv[2])
const client = createHttpClient({
  baseUrl: o.url,
  retry: 0,
  idleTimeout: 60_000,
  ...(o.fetch === 'fast' ? { fetch: createFastFetch({ proxy: false }) } : {}),
})
const started = performance.now()
const cpuBefore = process.cpuUsage()
const result = await downloadToFile({
  fetchRange: (range, signal) =>
    client.request(o.url, { headers: range ? { range: rangeHeader(range) } : {}, signal }),
  destination: o.destination,
  concurrency: o.concurrency,
  partSize: o.partSize,
  size: o.size,
  expected: o.expected,
  sync: o.sync,
  hashInWorker: o.hashInWorker,
})
const seconds = (performance.now() - started) / 1000
const used = process.cpuUsage(cpuBefore)
const cpu = (used.user + used.system) / 1e6
// Peak RSS of this process image: VmHWM on Linux. (getrusage's maxRSS survives exec on Linux
// and would report the parent's size at fork time.)
let rss = process.resourceUsage().maxRSS * 1024
try {
  const status = readFileSync('/proc/self/status', 'utf8')
  rss = Number(/VmHWM:\s+(\d+) kB/.exec(status)[1]) * 1024
} catch {}
process.stdout.write(`${JSON.stringify({ seconds, cpu, rss, digest: String(result.digest) })}\n`)
