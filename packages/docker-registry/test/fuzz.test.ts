import { WharfError } from '@wharf/core-http'
import { fuzz, hostileStrings } from '@wharf/tooling/fuzz'
import { describe, expect, it } from 'vitest'
import { parseAnyReference, parseDockerRef, parseNormalizedName } from '../src/index.js'

describe('hostile names never crash the Docker name parsers', () => {
  it('parse or fail with a typed error', () => {
    const inputs = hostileStrings(
      [
        'ubuntu',
        'library/redis:7',
        `docker.io/bitnami/nginx@sha256:${'c'.repeat(64)}`,
        'localhost:5000/team/app:1.0',
        'a'.repeat(64),
      ],
      4000,
      51,
    )
    const typed = (error: unknown) => error instanceof WharfError
    for (const parse of [parseNormalizedName, parseDockerRef, parseAnyReference]) {
      expect(fuzz(inputs, (v) => parse(v), typed)).toEqual([])
    }
  })
})
