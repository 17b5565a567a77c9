import { parseReference } from '@wharf/distribution'
import { describe, expect, it } from 'vitest'
import {
  authConfigKey,
  DigestReference,
  familiarName,
  familiarString,
  indexServerAddress,
  NormalizedName,
  parseAnyReference,
  parseDockerRef,
  parseNormalizedName,
  resolveRepositoryName,
} from '../src/index.js'

const HEX = 'a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4'
const D = `sha256:${HEX}`

/** [input, domain, path, tag, digest, fully qualified, familiar] */
type Valid = [string, string, string, string | undefined, string | undefined, string, string]

const VALID: Valid[] = [
  [
    'ubuntu',
    'docker.io',
    'library/ubuntu',
    undefined,
    undefined,
    'docker.io/library/ubuntu',
    'ubuntu',
  ],
  [
    'ubuntu:22.04',
    'docker.io',
    'library/ubuntu',
    '22.04',
    undefined,
    'docker.io/library/ubuntu:22.04',
    'ubuntu:22.04',
  ],
  [
    `ubuntu@${D}`,
    'docker.io',
    'library/ubuntu',
    undefined,
    D,
    `docker.io/library/ubuntu@${D}`,
    `ubuntu@${D}`,
  ],
  [
    `ubuntu:22.04@${D}`,
    'docker.io',
    'library/ubuntu',
    '22.04',
    D,
    `docker.io/library/ubuntu:22.04@${D}`,
    `ubuntu:22.04@${D}`,
  ],
  ['alice/app', 'docker.io', 'alice/app', undefined, undefined, 'docker.io/alice/app', 'alice/app'],
  [
    'alice/app:1.2',
    'docker.io',
    'alice/app',
    '1.2',
    undefined,
    'docker.io/alice/app:1.2',
    'alice/app:1.2',
  ],
  [
    'docker.io/ubuntu',
    'docker.io',
    'library/ubuntu',
    undefined,
    undefined,
    'docker.io/library/ubuntu',
    'ubuntu',
  ],
  [
    'docker.io/library/ubuntu',
    'docker.io',
    'library/ubuntu',
    undefined,
    undefined,
    'docker.io/library/ubuntu',
    'ubuntu',
  ],
  [
    'docker.io/alice/app',
    'docker.io',
    'alice/app',
    undefined,
    undefined,
    'docker.io/alice/app',
    'alice/app',
  ],
  [
    'index.docker.io/library/ubuntu',
    'docker.io',
    'library/ubuntu',
    undefined,
    undefined,
    'docker.io/library/ubuntu',
    'ubuntu',
  ],
  [
    'index.docker.io/ubuntu:x',
    'docker.io',
    'library/ubuntu',
    'x',
    undefined,
    'docker.io/library/ubuntu:x',
    'ubuntu:x',
  ],
  [
    'index.docker.io/alice/app',
    'docker.io',
    'alice/app',
    undefined,
    undefined,
    'docker.io/alice/app',
    'alice/app',
  ],
  [
    'library/foo/bar',
    'docker.io',
    'library/foo/bar',
    undefined,
    undefined,
    'docker.io/library/foo/bar',
    'library/foo/bar',
  ],
  [
    'library/ubuntu',
    'docker.io',
    'library/ubuntu',
    undefined,
    undefined,
    'docker.io/library/ubuntu',
    'ubuntu',
  ],
  ['a/b/c/d', 'docker.io', 'a/b/c/d', undefined, undefined, 'docker.io/a/b/c/d', 'a/b/c/d'],
  ['localhost/app', 'localhost', 'app', undefined, undefined, 'localhost/app', 'localhost/app'],
  [
    'localhost:5000/app',
    'localhost:5000',
    'app',
    undefined,
    undefined,
    'localhost:5000/app',
    'localhost:5000/app',
  ],
  [
    'localhost:5000/a/b:t',
    'localhost:5000',
    'a/b',
    't',
    undefined,
    'localhost:5000/a/b:t',
    'localhost:5000/a/b:t',
  ],
  [
    'localhost:5000',
    'docker.io',
    'library/localhost',
    '5000',
    undefined,
    'docker.io/library/localhost:5000',
    'localhost:5000',
  ],
  [
    'example.com',
    'docker.io',
    'library/example.com',
    undefined,
    undefined,
    'docker.io/library/example.com',
    'example.com',
  ],
  [
    'example.com/app',
    'example.com',
    'app',
    undefined,
    undefined,
    'example.com/app',
    'example.com/app',
  ],
  [
    'registry.example.com:5000/team/app:v1',
    'registry.example.com:5000',
    'team/app',
    'v1',
    undefined,
    'registry.example.com:5000/team/app:v1',
    'registry.example.com:5000/team/app:v1',
  ],
  [
    `127.0.0.1:5000/team/app@${D}`,
    '127.0.0.1:5000',
    'team/app',
    undefined,
    D,
    `127.0.0.1:5000/team/app@${D}`,
    `127.0.0.1:5000/team/app@${D}`,
  ],
  ['127.0.0.1/app', '127.0.0.1', 'app', undefined, undefined, '127.0.0.1/app', '127.0.0.1/app'],
  [
    '[fc00::1]:5000/app',
    '[fc00::1]:5000',
    'app',
    undefined,
    undefined,
    '[fc00::1]:5000/app',
    '[fc00::1]:5000/app',
  ],
  ['[::1]/app:tag', '[::1]', 'app', 'tag', undefined, '[::1]/app:tag', '[::1]/app:tag'],
  [
    '[2001:db8::1]:443/x/y',
    '[2001:db8::1]:443',
    'x/y',
    undefined,
    undefined,
    '[2001:db8::1]:443/x/y',
    '[2001:db8::1]:443/x/y',
  ],
  [
    'LOCALDOMAIN/app',
    'LOCALDOMAIN',
    'app',
    undefined,
    undefined,
    'LOCALDOMAIN/app',
    'LOCALDOMAIN/app',
  ],
  ['Foo/bar:1', 'Foo', 'bar', '1', undefined, 'Foo/bar:1', 'Foo/bar:1'],
  [
    'foo_bar/baz',
    'docker.io',
    'foo_bar/baz',
    undefined,
    undefined,
    'docker.io/foo_bar/baz',
    'foo_bar/baz',
  ],
  ['a__b/c--d', 'docker.io', 'a__b/c--d', undefined, undefined, 'docker.io/a__b/c--d', 'a__b/c--d'],
  ['a.b/c', 'a.b', 'c', undefined, undefined, 'a.b/c', 'a.b/c'],
  [
    'app:TAG_1.x-y',
    'docker.io',
    'library/app',
    'TAG_1.x-y',
    undefined,
    'docker.io/library/app:TAG_1.x-y',
    'app:TAG_1.x-y',
  ],
  [
    `app:${'t'.repeat(128)}`,
    'docker.io',
    'library/app',
    't'.repeat(128),
    undefined,
    `docker.io/library/app:${'t'.repeat(128)}`,
    `app:${'t'.repeat(128)}`,
  ],
  [
    `x@sha512:${'a'.repeat(128)}`,
    'docker.io',
    'library/x',
    undefined,
    `sha512:${'a'.repeat(128)}`,
    `docker.io/library/x@sha512:${'a'.repeat(128)}`,
    `x@sha512:${'a'.repeat(128)}`,
  ],
  [
    'my-registry.local:8080/ns/img',
    'my-registry.local:8080',
    'ns/img',
    undefined,
    undefined,
    'my-registry.local:8080/ns/img',
    'my-registry.local:8080/ns/img',
  ],
  [
    'docker.io/library/foo/bar',
    'docker.io',
    'library/foo/bar',
    undefined,
    undefined,
    'docker.io/library/foo/bar',
    'library/foo/bar',
  ],
  ['0/1', 'docker.io', '0/1', undefined, undefined, 'docker.io/0/1', '0/1'],
  [
    `${'a'.repeat(237)}:t`,
    'docker.io',
    `library/${'a'.repeat(237)}`,
    't',
    undefined,
    `docker.io/library/${'a'.repeat(237)}:t`,
    `${'a'.repeat(237)}:t`,
  ],
]

/** [input, error code] */
const INVALID: Array<[string, string]> = [
  ['', 'ERR_REFERENCE_NAME_EMPTY'],
  ['Ubuntu', 'ERR_REFERENCE_NAME_UPPERCASE'],
  ['alice/App', 'ERR_REFERENCE_NAME_UPPERCASE'],
  ['docker.io/Foo', 'ERR_REFERENCE_NAME_UPPERCASE'],
  ['localhost:5000/Upper', 'ERR_REFERENCE_NAME_UPPERCASE'],
  ['https://example.com/app', 'ERR_REFERENCE_INVALID_FORMAT'],
  ['[fc00::1]:5000', 'ERR_REFERENCE_INVALID_FORMAT'],
  ['fc00::1:5000/app', 'ERR_REFERENCE_INVALID_FORMAT'],
  [HEX, 'ERR_REFERENCE_INVALID_FORMAT'],
  ['ubuntu:', 'ERR_REFERENCE_INVALID_TAG'],
  ['ubuntu:-bad', 'ERR_REFERENCE_INVALID_TAG'],
  [`ubuntu:${'t'.repeat(129)}`, 'ERR_REFERENCE_INVALID_TAG'],
  ['ubuntu@sha256:abc', 'ERR_REFERENCE_INVALID_DIGEST'],
  ['ubuntu@', 'ERR_REFERENCE_INVALID_DIGEST'],
  [`ubuntu@sha256:${HEX.toUpperCase()}`, 'ERR_REFERENCE_INVALID_DIGEST'],
  ['a//b', 'ERR_REFERENCE_INVALID_FORMAT'],
  ['a/', 'ERR_REFERENCE_INVALID_FORMAT'],
  ['/a', 'ERR_REFERENCE_INVALID_FORMAT'],
  ['-a/b', 'ERR_REFERENCE_INVALID_FORMAT'],
  ['a/b-', 'ERR_REFERENCE_INVALID_FORMAT'],
  ['a/b..c', 'ERR_REFERENCE_INVALID_FORMAT'],
  ['a/b___c', 'ERR_REFERENCE_INVALID_FORMAT'],
  ['a b', 'ERR_REFERENCE_INVALID_FORMAT'],
  [':tag', 'ERR_REFERENCE_NAME_EMPTY'],
  [`${'a'.repeat(256)}`, 'ERR_REFERENCE_NAME_TOO_LONG'],
  [`example.com/${'a'.repeat(250)}`, 'ERR_REFERENCE_NAME_TOO_LONG'],
  // the limit applies to the normalized name, domain included (distribution's rule)
  [`${'a'.repeat(238)}:t`, 'ERR_REFERENCE_NAME_TOO_LONG'],
]

describe('parseNormalizedName: valid names', () => {
  it.each(VALID)('%s', (input, domain, path, tag, digest, full, familiar) => {
    const ref = parseNormalizedName(input)
    expect(ref).toBeInstanceOf(NormalizedName)
    expect({ domain: ref.domain, path: ref.path, tag: ref.tag, digest: ref.digest }).toEqual({
      domain,
      path,
      tag,
      digest,
    })
    expect(ref.toString()).toBe(full)
    expect(ref.name).toBe(`${domain}/${path}`)
    expect(familiarString(ref)).toBe(familiar)
    expect(`${familiarName(ref)}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`).toBe(
      familiar,
    )
    // the fully qualified form is a valid plain reference and normalizes to itself
    expect(parseReference(full).repository).toBe(path)
    expect(parseNormalizedName(full).toString()).toBe(full)
    expect(JSON.stringify({ ref })).toBe(JSON.stringify({ ref: full }))
  })
})

describe('parseNormalizedName: invalid names, with the distribution error codes', () => {
  it.each(INVALID)('%j', (input, code) => {
    let error: any
    try {
      parseNormalizedName(input)
    } catch (e) {
      error = e
    }
    expect(error?.code).toBe(code)
    expect(error?.name).toBe('InvalidReferenceError')
  })

  it('rejects non-strings with a typed error', () => {
    expect(() => parseNormalizedName(undefined as never)).toThrow(
      expect.objectContaining({ code: 'ERR_REFERENCE_NAME_EMPTY' }),
    )
  })
})

describe('parseDockerRef, parseAnyReference, familiar forms', () => {
  it.each([
    ['ubuntu', 'docker.io/library/ubuntu:latest'],
    ['alice/app:1', 'docker.io/alice/app:1'],
    [`ubuntu:22.04@${D}`, `docker.io/library/ubuntu@${D}`],
    [`localhost:5000/x@${D}`, `localhost:5000/x@${D}`],
  ])('parseDockerRef(%s) = %s', (input, expected) => {
    expect(parseDockerRef(input).toString()).toBe(expected)
  })

  it.each([
    [HEX, D],
    [D, D],
    [`sha512:${'b'.repeat(128)}`, `sha512:${'b'.repeat(128)}`],
  ])('parseAnyReference(%s) is a digest reference', (input, digest) => {
    const ref = parseAnyReference(input)
    expect(ref).toBeInstanceOf(DigestReference)
    expect(ref.toString()).toBe(digest)
    expect(familiarString(ref)).toBe(digest)
  })

  it('parseAnyReference reads names too', () => {
    expect(parseAnyReference('ubuntu:1').toString()).toBe('docker.io/library/ubuntu:1')
    // not a digest (too short, not hex): a name with a tag, as Docker reads it
    expect(parseAnyReference('sha256:xyz').toString()).toBe('docker.io/library/sha256:xyz')
    expect(() => parseAnyReference(`${HEX}:1`)).toThrow(
      expect.objectContaining({ code: 'ERR_REFERENCE_INVALID_FORMAT' }),
    )
  })
})

describe('resolveRepositoryName and the index address', () => {
  it.each([
    ['ubuntu', 'https://index.docker.io/v1/', 'ubuntu', true],
    ['library/ubuntu', 'https://index.docker.io/v1/', 'ubuntu', true],
    ['alice/app', 'https://index.docker.io/v1/', 'alice/app', true],
    ['index.docker.io/alice/app', 'https://index.docker.io/v1/', 'alice/app', true],
    ['localhost:5000/app', 'localhost:5000', 'app', false],
    ['registry.example.com/team/app', 'registry.example.com', 'team/app', false],
  ])('%s', (name, indexName, remoteName, hub) => {
    expect(resolveRepositoryName(name)).toEqual({ indexName, remoteName, hub })
  })

  it('refuses schemes, tags and digests', () => {
    for (const bad of ['https://x.example/app', 'ubuntu:1', `ubuntu@${D}`]) {
      expect(() => resolveRepositoryName(bad)).toThrow(
        expect.objectContaining({ name: 'InvalidReferenceError' }),
      )
    }
  })

  it('gives Hub the index address as auth key and other registries their host', () => {
    expect(indexServerAddress()).toBe('https://index.docker.io/v1/')
    expect(authConfigKey('docker.io')).toBe('https://index.docker.io/v1/')
    expect(authConfigKey('index.docker.io')).toBe('https://index.docker.io/v1/')
    expect(authConfigKey('localhost:5000')).toBe('localhost:5000')
  })
})
