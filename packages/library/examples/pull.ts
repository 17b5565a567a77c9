import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLibraryClient, NotFoundError } from '@wharf/library'
import { createMockLibrary } from '@wharf/library/mock'

// A library holding one image: it redirects downloads to its object store, which serves ranges.
const mock = createMockLibrary()
const server = await mock.listen()
const client = createLibraryClient({ baseURL: server.url })
const image = new Uint8Array(12 * 1024 * 1024).map((_, i) => i % 251)
await client.uploadImage(image, { path: 'alice/tools/alpine', arch: 'amd64', tags: ['latest'] })

const dir = await mkdtemp(join(tmpdir(), 'pull-example-'))
const destination = join(dir, 'alpine.sif')

// Parts of 5 MiB, three at a time; the file appears only once its sha256 hash is verified.
const pulled = await client.concurrentDownloadImage(
  'library://alice/tools/alpine:latest',
  destination,
  {
    arch: 'amd64',
    concurrency: 3,
    partSize: 5 * 1024 * 1024,
  },
)
const identical = Buffer.compare(await readFile(destination), image) === 0

// One stream into any WritableStream (here: counting bytes).
let streamed = 0
await client.downloadImage('alice/tools/alpine', {
  arch: 'amd64',
  writable: new WritableStream({
    write(chunk) {
      streamed += chunk.byteLength
    },
  }),
})

let missing = ''
try {
  await client.getImage('alice/tools/nothing:latest')
} catch (error) {
  if (error instanceof NotFoundError) missing = `${error.status} ${error.code}`
}

console.log(pulled.hash, identical, streamed, missing)
await rm(dir, { recursive: true, force: true })
await server.close()

export { identical, missing, pulled, streamed }
