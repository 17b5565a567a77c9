import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHttpClient } from '@wharf/core-http'
import { serve } from '@wharf/core-http/node'
import { digestOf, rangeHeader } from '@wharf/transfer'
import { createFastFetch, downloadToFile } from '@wharf/transfer/node'

// A server with Range support holding a 3 MiB blob.
const blob = new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 251)
const server = await serve((request: Request) => {
  const m = /^bytes=(\d+)-(\d*)$/.exec(request.headers.get('range') ?? '')
  if (!m) return new Response(blob, { headers: { 'accept-ranges': 'bytes' } })
  const start = Number(m[1])
  const end = m[2] ? Math.min(Number(m[2]), blob.length - 1) : blob.length - 1
  return new Response(blob.slice(start, end + 1), {
    status: 206,
    headers: { 'content-range': `bytes ${start}-${end}/${blob.length}` },
  })
})

// Bulk bytes through undici.request, still under core-http's redirect, auth and error rules.
const client = createHttpClient({ baseUrl: server.url, fetch: createFastFetch() })
const dir = await mkdtemp(join(tmpdir(), 'wharf-example-'))
const parts: number[] = []
const { path, digest, size } = await downloadToFile({
  fetchRange: (range, signal) =>
    client.request('blob', { headers: range ? { range: rangeHeader(range) } : {}, signal }),
  destination: join(dir, 'blob.bin'),
  expected: digestOf(blob), // verified before the file appears at `destination`
  partSize: 1024 * 1024,
  concurrency: 3,
  onProgress: (event) => event.type === 'part' && parts.push(event.partNumber),
})
const intact = digestOf(await readFile(path)).equals(digest)

await server.close()
await rm(dir, { recursive: true })
console.log(String(digest), size, parts.length, intact)

export { digest, intact, parts, size }
