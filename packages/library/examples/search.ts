import { createLibraryClient, formatLibraryRef, parseAmbiguousLibraryRef } from '@wharf/library'
import { createMockLibrary } from '@wharf/library/mock'

const mock = createMockLibrary()
const server = await mock.listen()
const client = createLibraryClient({ baseURL: server.url })
for (const [name, arch] of [
  ['alpine', 'amd64'],
  ['alpine-tools', 'arm64'],
  ['busybox', 'amd64'],
]) {
  const bytes = new TextEncoder().encode(`${name} for ${arch}`)
  await client.uploadImage(bytes, { path: `alice/tools/${name}`, arch, tags: ['latest'] })
}

// Every kind of record whose name contains "alpine".
const all = await client.search({ value: 'alpine' })
const containers = all.containers.map((c) => `${c.entityName}/${c.collectionName}/${c.name}`)

// Giving an architecture (or `signed`) limits the search to images.
const { images } = await client.search({ value: 'alpine', arch: 'arm64' })
const refs = images.map((i) =>
  formatLibraryRef({
    host: '',
    path: `${i.entityName}/${i.collectionName}/${i.containerName}`,
    tags: i.tags ?? [i.hash],
  }),
)

// References are parsed exactly like scs-library-client's ParseAmbiguous.
const ref = parseAmbiguousLibraryRef('library://alice/tools/alpine-tools:latest')

console.log(containers, refs, ref)
await server.close()

export { containers, ref, refs }
