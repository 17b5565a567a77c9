import { WharfError } from '@wharf/core-http'
import { fuzz, hostileStrings } from '@wharf/tooling/fuzz'
import { describe, expect, it } from 'vitest'
import { parseContentRange, parseDigest } from '../src/index.js'

const typed = (error: unknown) => error instanceof WharfError

describe('hostile digests and ranges never crash the parsers', () => {
  it('digests parse or fail with InvalidDigestError', () => {
    const inputs = hostileStrings(
      [`sha256:${'a'.repeat(64)}`, `sha512:${'0f'.repeat(64)}`, `sha384:${'9'.repeat(96)}`],
      3000,
      31,
    )
    expect(fuzz(inputs, (v) => parseDigest(v), typed)).toEqual([])
  })

  it('Content-Range', () => {
    const inputs = hostileStrings(['bytes 0-1023/4096', 'bytes */4096', 'bytes 10-20/*'], 2000, 32)
    expect(fuzz(inputs, (v) => parseContentRange(v), typed)).toEqual([])
  })
})
