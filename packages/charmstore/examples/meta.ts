import { createCharmStoreClient } from '@wharf/charmstore'
import { createMockCharmStore } from '@wharf/charmstore/mock'
import { strToU8, zipSync } from 'fflate'

// A mock store holding one public, published charm (uploaded with the admin credentials).
const mock = createMockCharmStore({ admin: { username: 'admin', password: 's3cret' } })
const server = await mock.listen()
const admin = createCharmStoreClient({ url: server.url, user: 'admin', password: 's3cret' })
const metadata =
  'name: wordpress\nsummary: Blog engine\ndescription: A blog.\nseries: [focal, bionic]\n'
await admin.uploadCharm('~bob/wordpress', zipSync({ 'metadata.yaml': strToU8(metadata) }))
await admin.publish('~bob/wordpress-0', ['stable'])
await admin.put('/~bob/wordpress/meta/perm/read', ['everyone'])
await admin.putExtraInfo('~bob/wordpress-0', { digest: 'abc123' })

// Anybody can read it. Keys name the result fields; `true` derives the include name
// (`supportedSeries` → `supported-series`), a string names it explicitly.
const client = createCharmStoreClient({ url: server.url })
const { id, meta } = await client.meta('~bob/wordpress', {
  charmMetadata: true,
  supportedSeries: true,
  archiveSize: true,
  digest: 'extra-info/digest',
})
const [latest] = await client.latest(['~bob/wordpress'])

await server.close()
console.log(
  `${id}: ${meta.charmMetadata?.Summary}, ${meta.supportedSeries?.SupportedSeries.join('/')}`,
)

export { id, latest, meta }
