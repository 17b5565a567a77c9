import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRegistryClient, MediaType } from '@wharf/distribution'
import { createMockRegistry } from '@wharf/distribution/mock'
import { pullToLayout } from '@wharf/distribution/node'

const registry = await createMockRegistry().listen()
const client = createRegistryClient({ registry: registry.url })
const repo = client.repository('acme/hello')
const layer = await repo.pushBlob(new TextEncoder().encode('hello'), {
  mediaType: MediaType.ImageLayer,
})
const config = await repo.pushBlob(new TextEncoder().encode('{}'), {
  mediaType: MediaType.ImageConfig,
})
await repo.putManifest('v1', {
  schemaVersion: 2,
  mediaType: MediaType.ImageManifest,
  config: config.descriptor,
  layers: [layer.descriptor],
})

// Pull: the manifest (verified against its digest, schema-checked) and a verified blob stream.
const { descriptor, manifest } = await repo.getManifest('v1')
const first = 'layers' in manifest ? manifest.layers[0]! : undefined
const text = await new Response(await repo.getBlob(first!.digest)).text()

// Or the whole image into an OCI layout directory (skopeo/umoci compatible).
const dir = await mkdtemp(join(tmpdir(), 'wharf-example-'))
await pullToLayout(repo, 'v1', dir)
const files = (await readdir(dir)).sort()

await rm(dir, { recursive: true })
await registry.close()
console.log(descriptor.digest, text, files)

export { descriptor, files, text }
