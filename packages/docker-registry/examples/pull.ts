import { createHash } from 'node:crypto'
import {
  createSession,
  DockerMediaType,
  familiarString,
  parseDockerRef,
} from '@wharf/docker-registry'
import { createMockDockerRegistry } from '@wharf/docker-registry/mock'

// A mock posing as Docker Hub: anonymous pull tokens for service registry.docker.io and
// Hub's pull rate limit headers.
const mock = createMockDockerRegistry({ hub: true, rateLimit: { limit: 100 } })
const server = await mock.listen()
const hub = { registry: server.url, index: `${server.url}/v1/` }

// Seed it with a one-layer image (a push through the same V2 session API).
const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`
const config = new TextEncoder().encode('{"architecture":"amd64","os":"linux"}')
const layer = new TextEncoder().encode('layer bytes')
const pusher = createSession(server.url)
await pusher.putV2ImageBlob('library/ubuntu', config)
await pusher.putV2ImageBlob('library/ubuntu', layer)
await pusher.putV2ImageManifest(
  'library/ubuntu',
  '22.04',
  {
    schemaVersion: 2,
    mediaType: DockerMediaType.ManifestV2,
    config: {
      mediaType: DockerMediaType.ImageConfig,
      size: config.byteLength,
      digest: sha256(config),
    },
    layers: [{ mediaType: DockerMediaType.Layer, size: layer.byteLength, digest: sha256(layer) }],
  },
  { mediaType: DockerMediaType.ManifestV2 },
)

// `docker pull ubuntu:22.04`: normalize the name, fetch the manifest, stream verified blobs.
const ref = parseDockerRef('ubuntu:22.04') // docker.io/library/ubuntu:22.04
const session = createSession(ref.domain, { hub })
const { descriptor, manifest, rateLimit } = await session.getV2ImageManifest(ref.path, ref.tag!)
const layers: number[] = []
if ('layers' in manifest) {
  for (const l of manifest.layers) {
    const { stream } = await session.getV2ImageBlobReader(ref.path, l.digest, { size: l.size })
    layers.push((await new Response(stream).arrayBuffer()).byteLength) // fails on a digest mismatch
  }
}
console.log(familiarString(ref), descriptor.digest, layers, `pulls left: ${rateLimit?.remaining}`)

await server.close()

export { descriptor, layers, rateLimit, ref }
