import { createRegistryClient, type ImageManifest, MediaType } from '@wharf/distribution'
import { createMockRegistry } from '@wharf/distribution/mock'

// An in-memory registry on 127.0.0.1 to push to (any OCI registry works the same way).
const registry = await createMockRegistry().listen()
const client = createRegistryClient({ registry: registry.url })
const repo = client.repository('acme/hello')

const config = new TextEncoder().encode('{"architecture":"amd64","os":"linux"}')
const layer = new TextEncoder().encode('hello, registry')

// Blobs first: one PUT each (PATCH chunks for streams of unknown digest); existing ones are skipped.
const pushedConfig = await repo.pushBlob(config, { mediaType: MediaType.ImageConfig })
const pushedLayer = await repo.pushBlob(layer, { mediaType: MediaType.ImageLayer })

const manifest: ImageManifest = {
  schemaVersion: 2,
  mediaType: MediaType.ImageManifest,
  config: pushedConfig.descriptor,
  layers: [pushedLayer.descriptor],
}
const { descriptor } = await repo.putManifest('v1', manifest)
const again = await repo.pushBlob(layer)

await registry.close()
console.log(descriptor.digest, again.method)

export { again, descriptor }
