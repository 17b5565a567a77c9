import { WharfError } from '@wharf/core-http'
import { fuzz, fuzzHandler, hostileStrings } from '@wharf/tooling/fuzz'
import { describe, expect, it } from 'vitest'
import {
  formatReference,
  MediaType,
  parseManifest,
  parsePlatform,
  parseReference,
} from '../src/index.js'
import { createMockRegistry } from '../src/mock/index.js'

const typed = (error: unknown) => error instanceof WharfError
const digest = `sha256:${'ab'.repeat(32)}`

describe('hostile input never crashes the parsers', () => {
  it('references parse or fail with InvalidReferenceError, and what parses formats back', () => {
    const inputs = hostileStrings(
      [
        'registry.example:5000/team/app:1.0',
        `localhost/a__b-c.d/e@${digest}`,
        '[::1]:5000/app:latest',
        `192.168.0.1/x/y/z:tag@${digest}`,
      ],
      4000,
      41,
    )
    const roundTrip = (input: string) => {
      const ref = parseReference(input)
      expect(parseReference(formatReference(ref))).toEqual(ref)
    }
    expect(fuzz(inputs, roundTrip, typed)).toEqual([])
  })

  it('platforms', () => {
    const inputs = hostileStrings(['linux/amd64', 'linux/arm64/v8', 'windows/amd64'], 2000, 42)
    expect(fuzz(inputs, (v) => parsePlatform(v), typed)).toEqual([])
  })

  it('manifests and indexes are refused with typed errors naming the problem', () => {
    const layer = { mediaType: MediaType.ImageLayer, digest, size: 10 }
    const seeds = [
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.ImageManifest,
        config: { mediaType: MediaType.ImageConfig, digest, size: 2 },
        layers: [layer],
        annotations: { a: 'b' },
      }),
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.ImageIndex,
        manifests: [
          {
            ...layer,
            mediaType: MediaType.ImageManifest,
            platform: { os: 'linux', architecture: 'amd64' },
          },
        ],
      }),
    ]
    const encoder = new TextEncoder()
    const inputs = hostileStrings(seeds, 3000, 43)
    for (const type of [undefined, MediaType.ImageManifest, MediaType.ImageIndex]) {
      expect(fuzz(inputs, (v) => parseManifest(encoder.encode(v), type), typed)).toEqual([])
    }
  })
})

describe('hostile requests never crash the mock registry', () => {
  it('answers every one with a client error or success, never a 5xx', async () => {
    const registry = createMockRegistry()
    const seeds = [
      '/v2/',
      '/v2/acme/app/manifests/v1',
      `/v2/acme/app/blobs/${digest}`,
      '/v2/acme/app/blobs/uploads/',
      '/v2/acme/app/tags/list?n=2&last=a',
      `/v2/acme/app/referrers/${digest}?artifactType=x`,
      '/v2/_catalog?n=1',
    ]
    expect(await fuzzHandler(registry.handle, 'http://registry.mock', seeds, 1500, 44)).toEqual([])
  })
})
