import { WharfError } from '@wharf/core-http'
import { fuzz, hostileStrings } from '@wharf/tooling/fuzz'
import { describe, expect, it } from 'vitest'
import { parseWWWAuthenticate } from '../src/index.js'

describe('hostile WWW-Authenticate headers never crash the parser', () => {
  it('parses or refuses every input quickly', () => {
    const inputs = hostileStrings(
      [
        'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"',
        'Basic realm="x", Macaroon macaroon="AgE", Bearer error="insufficient_scope"',
        'Bearer realm="a\\"b", charset=UTF-8',
      ],
      3000,
      21,
    )
    expect(
      fuzz(
        inputs,
        (v) => parseWWWAuthenticate(v),
        (e) => e instanceof WharfError,
      ),
    ).toEqual([])
  })
})
