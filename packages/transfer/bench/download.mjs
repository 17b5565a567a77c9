// One download in its own process, so that its peak RSS is its own. Prints a JSON line.
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
const result = await downloadToFile({
  fetchRange: (range, signal) =>
    client.request(o.url, { headers: range ? { range: rangeHeader(range) } : {}, signal }),
  destination: o.destination,
  concurrency: o.concurrency,
  partSize: o.partSize,
  size: o.size,
  expected: o.expected,
  sync: o.sync,
})
const seconds = (performance.now() - started) / 1000
process.stdout.write(
  `${JSON.stringify({ seconds, rss: process.resourceUsage().maxRSS * 1024, digest: String(result.digest) })}\n`,
)
