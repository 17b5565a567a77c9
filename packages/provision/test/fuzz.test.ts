import { WharfError } from '@wharf/core-http'
import { fuzz, hostileStrings } from '@wharf/tooling/fuzz'
import { describe, expect, it } from 'vitest'
import { decodeYaml } from '../src/index.js'

describe('hostile YAML never crashes decodeYaml', () => {
  it('decodes or fails with a typed error, quickly', () => {
    const inputs = hostileStrings(
      [
        'Name: node1\nParams:\n  a: [1, 2]\n  b: {c: "d"}\n',
        'a: &x [1, 2]\nb: *x\nc: !!binary aGVsbG8=\n',
        '- one\n- "two"\n- 3.5\n',
      ],
      3000,
      81,
    )
    expect(
      // The yaml parser takes ≈ 7 µs per character: 2 s flags a blow-up, not its pace.
      fuzz(
        inputs,
        (v) => decodeYaml(v),
        (e) => e instanceof WharfError,
        2000,
      ),
    ).toEqual([])
  })
})
