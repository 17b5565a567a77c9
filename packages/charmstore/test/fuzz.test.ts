import { WharfError } from '@wharf/core-http'
import { fuzz, hostileStrings } from '@wharf/tooling/fuzz'
import { describe, expect, it } from 'vitest'
import { parseChannel, parseCharmURL } from '../src/index.js'

describe('hostile charm URLs never crash the parsers', () => {
  it('parse or fail with a typed error', () => {
    const inputs = hostileStrings(
      [
        'cs:~bob/xenial/wordpress-42',
        'cs:mysql',
        'bionic/haproxy-3',
        'cs:bundle/wiki-simple-1',
        'stable',
      ],
      4000,
      71,
    )
    const typed = (error: unknown) => error instanceof WharfError
    expect(fuzz(inputs, (v) => parseCharmURL(v), typed)).toEqual([])
    expect(fuzz(inputs, (v) => parseChannel(v), typed)).toEqual([])
  })
})
