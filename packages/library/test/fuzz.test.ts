import { WharfError } from '@wharf/core-http'
import { fuzz, hostileStrings } from '@wharf/tooling/fuzz'
import { describe, expect, it } from 'vitest'
import { parseAmbiguousLibraryRef, parseLibraryPath, parseLibraryRef } from '../src/index.js'

describe('hostile library references never crash the parsers', () => {
  it('parse or fail with a typed error', () => {
    const inputs = hostileStrings(
      [
        'library://alice/tools/alpine:3.9',
        'library://cloud.sylabs.io/alice/tools/alpine:latest,3.9',
        'alpine',
        'library:///library/default/busybox',
        `alice/tools/alpine:sha256.${'e'.repeat(64)}`,
      ],
      4000,
      61,
    )
    const typed = (error: unknown) => error instanceof WharfError
    for (const parse of [parseLibraryRef, parseAmbiguousLibraryRef, parseLibraryPath]) {
      expect(fuzz(inputs, (v) => parse(v), typed)).toEqual([])
    }
  })

  it('refuses a reference too long to be one before parsing it', () => {
    for (const parse of [parseLibraryRef, parseAmbiguousLibraryRef]) {
      expect(() => parse(`library://alice/tools/${'a'.repeat(5000)}`)).toThrow(
        expect.objectContaining({
          code: 'path-not-valid',
          message: expect.stringContaining('longer than 4096'),
        }),
      )
    }
  })
})
