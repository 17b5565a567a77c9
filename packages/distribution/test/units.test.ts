import { fileURLToPath } from 'node:url'
import { findNodeImports } from '@wharf/tooling/node-imports'
import { describe, expect, it } from 'vitest'
import {
  childDescriptors,
  type ImageIndex,
  MediaType,
  matchPlatform,
  PlatformNotFoundError,
  parsePlatform,
  referrersTag,
  selectPlatform,
  validateIndex,
} from '../src/index.js'
import { mapLimit } from '../src/pool.js'

const dist = (file: string) => fileURLToPath(new URL(`../dist/${file}`, import.meta.url))

describe('portability', () => {
  it('the main entry and ./mock import no node: module; ./node does', () => {
    expect(findNodeImports(dist('index.js'))).toEqual([])
    expect(findNodeImports(dist('mock/index.js'))).toEqual([])
    expect(findNodeImports(dist('node/index.js')).length).toBeGreaterThan(0)
  })
})

const D = (c: string) => `sha256:${c.repeat(64)}`
const index: ImageIndex = {
  schemaVersion: 2,
  mediaType: MediaType.ImageIndex,
  manifests: [
    {
      mediaType: MediaType.ImageManifest,
      digest: D('a'),
      size: 1,
      platform: { os: 'linux', architecture: 'amd64' },
    },
    {
      mediaType: MediaType.ImageManifest,
      digest: D('b'),
      size: 1,
      platform: { os: 'linux', architecture: 'arm', variant: 'v7' },
    },
    {
      mediaType: MediaType.ImageManifest,
      digest: D('c'),
      size: 1,
      platform: { os: 'linux', architecture: 'arm64' },
    },
  ],
}

describe('platforms', () => {
  it.each([
    ['linux/amd64', D('a')],
    ['linux/arm/v7', D('b')],
    ['linux/arm64', D('c')],
    ['linux/arm64/v8', D('c')],
  ])('selects %s', (spec, digest) => expect(selectPlatform(index, spec).digest).toBe(digest))

  it('names the available platforms when none matches', () => {
    expect(() => selectPlatform(index, 'windows/amd64')).toThrow(PlatformNotFoundError)
    expect(() => selectPlatform(index, 'linux/arm/v6')).toThrow(
      /linux\/amd64, linux\/arm\/v7, linux\/arm64/,
    )
    expect(() => parsePlatform('linux')).toThrow(/os\/architecture/)
    expect(matchPlatform(undefined, 'linux/amd64')).toBe(false)
  })
})

describe('helpers', () => {
  it('builds the referrers fallback tag, cutting the encoded part at 64 characters', () => {
    expect(referrersTag(D('a'))).toBe(`sha256-${'a'.repeat(64)}`)
    expect(referrersTag(`sha512:${'b'.repeat(128)}`)).toBe(`sha512-${'b'.repeat(64)}`)
    expect(() => referrersTag('nope')).toThrow(/invalid reference/)
  })

  it('lists the children of an index or a manifest', () => {
    expect(
      childDescriptors(validateIndex(index, MediaType.ImageIndex)).map((d) => d.digest),
    ).toEqual([D('a'), D('b'), D('c')])
    expect(() =>
      validateIndex({ ...index, manifests: [{ digest: 'x' }] }, MediaType.ImageIndex),
    ).toThrow(/manifests\[0\]\.mediaType: is required; manifests\[0\]\.digest/)
    expect(() =>
      validateIndex({ ...index, mediaType: MediaType.ImageManifest }, MediaType.ImageIndex),
    ).toThrow(/mediaType/)
  })

  it('mapLimit keeps order and never exceeds its width', async () => {
    let active = 0
    let peak = 0
    const out = await mapLimit([5, 1, 4, 2, 3], 2, async (n) => {
      peak = Math.max(peak, ++active)
      await new Promise((r) => setTimeout(r, n))
      active--
      return n * 10
    })
    expect(out).toEqual([50, 10, 40, 20, 30])
    expect(peak).toBe(2)
  })
})
