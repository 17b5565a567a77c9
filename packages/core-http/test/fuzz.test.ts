import { fuzz, hostileStrings } from '@wharf/tooling/fuzz'
import { describe, expect, it } from 'vitest'
import { parseLinkHeader, parseRetryAfter, WharfError } from '../src/index.js'

const typed = (error: unknown) => error instanceof WharfError

describe('hostile headers never crash the parsers', () => {
  it('Link', () => {
    const inputs = hostileStrings(
      [
        '</v2/_catalog?n=2&last=b>; rel="next"',
        '<https://registry.example/v2/a/tags/list?last=x>; rel=next, <./p>; rel="prev"; title="x"',
      ],
      3000,
      11,
    )
    expect(fuzz(inputs, (v) => parseLinkHeader(v, 'https://registry.example/v2/'), typed)).toEqual(
      [],
    )
  })

  it('Retry-After', () => {
    const inputs = hostileStrings(['120', 'Wed, 21 Oct 2015 07:28:00 GMT'], 2000, 12)
    expect(fuzz(inputs, (v) => parseRetryAfter(v), typed)).toEqual([])
  })
})
