import { describe, expect, it } from 'vitest'
import {
  formatReference,
  InvalidReferenceError,
  isValidDigest,
  isValidRepository,
  isValidTag,
  parseReference,
  type Reference,
} from '../src/index.js'

const D = `sha256:${'a'.repeat(64)}`
const D512 = `sha512:${'0'.repeat(128)}`

// input → expected parse (registry '' when none)
const valid: Array<[string, Reference]> = [
  ['ubuntu', { registry: '', repository: 'ubuntu' }],
  ['ubuntu:22.04', { registry: '', repository: 'ubuntu', tag: '22.04' }],
  ['library/ubuntu', { registry: 'library', repository: 'ubuntu' }],
  ['a/b/c', { registry: 'a', repository: 'b/c' }],
  [
    'docker.io/library/ubuntu:latest',
    { registry: 'docker.io', repository: 'library/ubuntu', tag: 'latest' },
  ],
  ['localhost:5000/foo', { registry: 'localhost:5000', repository: 'foo' }],
  ['localhost:5000/foo:bar', { registry: 'localhost:5000', repository: 'foo', tag: 'bar' }],
  ['localhost:5000', { registry: '', repository: 'localhost', tag: '5000' }],
  ['127.0.0.1:5000/acme/app:v1', { registry: '127.0.0.1:5000', repository: 'acme/app', tag: 'v1' }],
  ['[::1]:5000/acme/app', { registry: '[::1]:5000', repository: 'acme/app' }],
  ['[2001:db8::1]/app', { registry: '[2001:db8::1]', repository: 'app' }],
  ['Registry.Example.COM/app', { registry: 'Registry.Example.COM', repository: 'app' }],
  [`ghcr.io/acme/app@${D}`, { registry: 'ghcr.io', repository: 'acme/app', digest: D }],
  [
    `ghcr.io/acme/app:v1@${D}`,
    { registry: 'ghcr.io', repository: 'acme/app', tag: 'v1', digest: D },
  ],
  [`app@${D512}`, { registry: '', repository: 'app', digest: D512 }],
  ['foo__bar', { registry: '', repository: 'foo__bar' }],
  ['foo---bar', { registry: '', repository: 'foo---bar' }],
  ['x.y_z', { registry: '', repository: 'x.y_z' }],
  ['r.io/team/manifests/app', { registry: 'r.io', repository: 'team/manifests/app' }],
  ['app:V1.0-rc_1', { registry: '', repository: 'app', tag: 'V1.0-rc_1' }],
  ['app:_x', { registry: '', repository: 'app', tag: '_x' }],
  [`app:${'t'.repeat(128)}`, { registry: '', repository: 'app', tag: 't'.repeat(128) }],
  ['a-b.example:443/x/y/z', { registry: 'a-b.example:443', repository: 'x/y/z' }],
  ['app@foo+bar:Abc_=-', { registry: '', repository: 'app', digest: 'foo+bar:Abc_=-' }],
]

const invalid: Array<[string, string]> = [
  ['', 'ERR_REFERENCE_NAME_EMPTY'],
  [':tag', 'ERR_REFERENCE_NAME_EMPTY'],
  [`@${D}`, 'ERR_REFERENCE_NAME_EMPTY'],
  ['Foo', 'ERR_REFERENCE_NAME_UPPERCASE'],
  ['registry.io/Acme/app', 'ERR_REFERENCE_NAME_UPPERCASE'],
  ['acme/App:v1', 'ERR_REFERENCE_NAME_UPPERCASE'],
  ['-foo', 'ERR_REFERENCE_INVALID_FORMAT'],
  ['foo-', 'ERR_REFERENCE_INVALID_FORMAT'],
  ['foo..bar', 'ERR_REFERENCE_INVALID_FORMAT'],
  ['foo_.bar', 'ERR_REFERENCE_INVALID_FORMAT'],
  ['foo___bar', 'ERR_REFERENCE_INVALID_FORMAT'],
  ['foo/', 'ERR_REFERENCE_INVALID_FORMAT'],
  ['foo//bar', 'ERR_REFERENCE_INVALID_FORMAT'],
  ['___', 'ERR_REFERENCE_INVALID_FORMAT'],
  ['r.io/a b', 'ERR_REFERENCE_INVALID_FORMAT'],
  ['-r.io/app', 'ERR_REFERENCE_INVALID_FORMAT'],
  ['r.io:port/app', 'ERR_REFERENCE_INVALID_FORMAT'],
  ['app:.tag', 'ERR_REFERENCE_INVALID_TAG'],
  ['app:-tag', 'ERR_REFERENCE_INVALID_TAG'],
  ['app:', 'ERR_REFERENCE_INVALID_TAG'],
  [`app:${'t'.repeat(129)}`, 'ERR_REFERENCE_INVALID_TAG'],
  ['app:a+b', 'ERR_REFERENCE_INVALID_TAG'],
  ['app@sha256:abc', 'ERR_REFERENCE_INVALID_DIGEST'],
  [`app@sha256:${'A'.repeat(64)}`, 'ERR_REFERENCE_INVALID_DIGEST'],
  [`app@sha512:${'a'.repeat(64)}`, 'ERR_REFERENCE_INVALID_DIGEST'],
  ['app@', 'ERR_REFERENCE_INVALID_DIGEST'],
  ['app@sha256', 'ERR_REFERENCE_INVALID_DIGEST'],
  ['app@Sha256:abc', 'ERR_REFERENCE_INVALID_DIGEST'],
  [`app@${D}@${D}`, 'ERR_REFERENCE_INVALID_DIGEST'],
  [`r.io/${'a'.repeat(251)}`, 'ERR_REFERENCE_NAME_TOO_LONG'],
  [`${'a'.repeat(256)}`, 'ERR_REFERENCE_NAME_TOO_LONG'],
]

describe('parseReference', () => {
  it.each(valid)('parses %s', (input, expected) => {
    expect(parseReference(input)).toEqual(expected)
    expect(formatReference(parseReference(input))).toBe(input)
  })

  it.each(invalid)('rejects %j with %s', (input, code) => {
    let caught: unknown
    try {
      parseReference(input)
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(InvalidReferenceError)
    expect(caught).not.toBeInstanceOf(ReferenceError)
    expect((caught as InvalidReferenceError).code).toBe(code)
    expect((caught as Error).message).toContain('invalid reference')
  })

  it('allows a name of exactly 255 characters', () => {
    const input = `r.io/${'a'.repeat(250)}`
    expect(input).toHaveLength(255)
    expect(parseReference(input).repository).toHaveLength(250)
  })

  it('formats a reference without registry, tag or digest', () => {
    expect(formatReference({ registry: '', repository: 'a/b' })).toBe('a/b')
    expect(formatReference({ registry: 'h:1', repository: 'a', digest: D })).toBe(`h:1/a@${D}`)
  })
})

describe('grammar predicates', () => {
  it.each([
    ['a', true],
    ['a/b', true],
    ['a__b', true],
    ['a--b', true],
    ['A', false],
    ['a/', false],
    ['', false],
  ])('isValidRepository(%j) is %s', (name, ok) =>
    expect(isValidRepository(name as string)).toBe(ok),
  )

  it.each([
    ['latest', true],
    ['.x', false],
    ['x'.repeat(128), true],
    ['x'.repeat(129), false],
  ])('isValidTag(%j) is %s', (tag, ok) => expect(isValidTag(tag as string)).toBe(ok))

  it.each([
    [D, true],
    [D512, true],
    [`sha384:${'b'.repeat(96)}`, true],
    ['sha256:totallywrong', false],
    ['multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8', true],
    ['sha256', false],
  ])('isValidDigest(%j) is %s', (digest, ok) => expect(isValidDigest(digest as string)).toBe(ok))
})
