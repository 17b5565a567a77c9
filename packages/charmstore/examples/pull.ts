import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createCharmStoreClient } from '@wharf/charmstore'
import { createMockCharmStore } from '@wharf/charmstore/mock'
import { extractArchive } from '@wharf/charmstore/node'
import { strToU8, zipSync } from 'fflate'

// A mock store with one charm (admin credentials are the mock's defaults).
const mock = createMockCharmStore()
const server = await mock.listen()
const client = createCharmStoreClient({
  url: server.url,
  user: 'admin',
  password: 'admin-password',
})
const files = {
  'metadata.yaml': 'name: redis\nsummary: s\ndescription: d\n',
  'README.md': '# Redis\n',
}
const charm = zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strToU8(v)])))
await client.uploadCharm('~bob/focal/redis', charm)

// The archive streams through a SHA-384 check: reading fails if the bytes are not the ones announced.
const archive = await client.getArchive('~bob/focal/redis-0')
const bytes = new Uint8Array(await new Response(archive.body).arrayBuffer())

// Extraction checks every entry first (no `..`, no absolute paths, size limits) and writes
// nothing when one is bad.
const dir = await mkdtemp(join(tmpdir(), 'redis-'))
const extracted = await extractArchive(bytes, dir)
const readme = await readFile(join(dir, 'README.md'), 'utf8')

// One file straight from the store, without the whole archive.
const file = await client.getFileFromArchive(archive.id, 'metadata.yaml')
const metadata = await new Response(file.body).text()

await server.close()
console.log(`${archive.id} ${archive.size} bytes sha384=${archive.hash.slice(0, 12)}…`, extracted)

export { archive, bytes, extracted, metadata, readme }
