import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bakeryAuth } from '@wharf/auth'
import { createCharmStoreClient } from '@wharf/charmstore'
import { createMockCharmStore } from '@wharf/charmstore/mock'
import { archiveFrom } from '@wharf/charmstore/node'

// A mock store whose identity discharger vouches for "alice" (a real one would make her log in:
// give bakeryAuth an `interact` callback that opens the visit URL).
const mock = createMockCharmStore({ discharger: { user: 'alice' } })
const server = await mock.listen()

// A charm directory with a file resource.
const dir = await mkdtemp(join(tmpdir(), 'hello-'))
await mkdir(join(dir, 'hooks'))
await writeFile(
  join(dir, 'metadata.yaml'),
  'name: hello\nsummary: Says hello\ndescription: d\nseries: [focal]\nresources:\n  greeting:\n    type: file\n    filename: greeting.txt\n',
)
await writeFile(join(dir, 'hooks', 'install'), '#!/bin/sh\necho hello\n', { mode: 0o755 })

// Macaroon login happens on the first request that needs it; the cookie is reused afterwards.
const client = createCharmStoreClient({ url: server.url, auth: bakeryAuth() })

// The directory is zipped deterministically (sorted, fixed timestamps, no VCS directories).
const id = await client.uploadCharm('~alice/focal/hello', await archiveFrom(dir))

// Resources: one request when small, the multipart protocol from 5 MiB (resumable by upload id).
const greeting = new TextEncoder().encode('hello, world\n')
const revision = await client.uploadResource(id, 'greeting', {
  source: greeting,
  filename: 'greeting.txt',
  onProgress: (event) =>
    event.type === 'done' && console.log(`uploaded ${event.transferred} bytes`),
})

await client.publish(id, ['stable'], { greeting: revision })
const who = await client.whoAmI()
const published = await client.meta('~alice/hello', { published: true, resources: true })

await server.close()
console.log(`${who.User} published ${published.id} with greeting revision ${revision}`)

export { id, published, revision, who }
