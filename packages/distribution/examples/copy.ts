import { copy, createRegistryClient, MediaType } from '@wharf/distribution'
import { createMockRegistry } from '@wharf/distribution/mock'

// Two registries; the source has an image.
const [a, b] = await Promise.all([createMockRegistry().listen(), createMockRegistry().listen()])
const source = createRegistryClient({ registry: a.url }).repository('acme/app')
const blob = await source.pushBlob(new TextEncoder().encode('{}'), {
  mediaType: MediaType.ImageConfig,
})
await source.putManifest('1.0', {
  schemaVersion: 2,
  mediaType: MediaType.ImageManifest,
  config: blob.descriptor,
  layers: [],
})

// Copy it: children before parents, blobs concurrently, digests preserved. Within one
// registry, blobs are mounted instead of copied.
const destination = createRegistryClient({ registry: b.url }).repository('mirror/app')
const actions: string[] = []
const root = await copy(source, destination, {
  reference: '1.0',
  concurrency: 4,
  onCopy: (event) => actions.push(event.action),
})
// A second copy finds everything in place and moves nothing.
const second: string[] = []
await copy(source, destination, { reference: '1.0', onCopy: (event) => second.push(event.action) })

await Promise.all([a.close(), b.close()])
console.log(root.digest, actions, second)

export { actions, root, second }
