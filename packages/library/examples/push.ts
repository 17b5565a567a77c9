import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLibraryClient } from '@wharf/library'
import { createMockLibrary } from '@wharf/library/mock'
import { fileSource, imageHash } from '@wharf/library/node'

// A library to push to: the in-memory mock on 127.0.0.1, with a separate object store.
const mock = createMockLibrary({ tokens: ['my-token'], partSize: 8 * 1024 * 1024 })
const server = await mock.listen()
const dir = await mkdtemp(join(tmpdir(), 'push-example-'))
const file = join(dir, 'alpine.sif')
await writeFile(file, new Uint8Array(20 * 1024 * 1024).fill(42))

const client = createLibraryClient({ baseURL: server.url, authToken: 'my-token' })
let parts = 0
const done = await client.uploadImage(fileSource(file), {
  path: 'library://alice/tools/alpine',
  arch: 'amd64',
  tags: ['latest', '3.9'],
  description: 'Alpine, pushed from Wharf',
  multipartThreshold: 16 * 1024 * 1024, // the default is 64 MiB, as in the Go client
  concurrency: 2,
  onProgress: (event) => {
    if (event.type === 'part') parts++
  },
})

const pushed = await client.getImage('alice/tools/alpine:3.9', { arch: 'amd64' })
const sameHash = pushed.hash === (await imageHash(file))
console.log(`${done?.containerUrl}: ${parts} parts, ${done?.quota.quotaUsage} bytes used`)

await rm(dir, { recursive: true, force: true })
await server.close()

export { done, parts, sameHash }
