import { describe, expect, it } from 'vitest'
import {
  formatLibraryRef,
  type LibraryRef,
  libraryRefHostname,
  libraryRefPort,
  parseAmbiguousLibraryRef,
  parseLibraryRef,
  RefError,
  type RefErrorCode,
} from '../src/index.js'

type Expect = RefErrorCode | [host: string, path: string, tags?: string[]]

// Inputs parsed the same way by parseLibraryRef and parseAmbiguousLibraryRef.
const both: Array<[string, Expect]> = [
  // a path is required
  ['library:', 'path-not-valid'],
  ['library::tag', 'path-not-valid'],
  ['library:/', 'path-not-valid'],
  ['library:/:tag', 'path-not-valid'],
  ['library:///', 'path-not-valid'],
  ['library:///:tag', 'path-not-valid'],
  ['library://host:443/', 'path-not-valid'],
  ['library://host:443/:tag', 'path-not-valid'],
  ['library://h/a%zz', 'path-not-valid'],
  ['library://h/a%2', 'path-not-valid'],
  ['library://[fe80::1/a/b', 'path-not-valid'],
  ['library://[fe80::1]x/a/b', 'path-not-valid'],
  ['library:pro\nject', 'path-not-valid'],
  ['library:///a%3Ab:c', 'path-not-valid'],
  // the scheme must be present and be "library"
  ['', 'scheme-not-valid'],
  ['/', 'scheme-not-valid'],
  ['/:tag', 'scheme-not-valid'],
  ['///', 'scheme-not-valid'],
  ['///:tag', 'scheme-not-valid'],
  ['//host/', 'scheme-not-valid'],
  ['//host:443/:tag', 'scheme-not-valid'],
  [':', 'scheme-not-valid'],
  [':project', 'scheme-not-valid'],
  ['1library:project', 'scheme-not-valid'],
  ['project', 'scheme-not-valid'],
  ['bad:project', 'scheme-not-valid'],
  ['bad:project:tag', 'scheme-not-valid'],
  ['bad:/project', 'scheme-not-valid'],
  ['bad:///project:tag', 'scheme-not-valid'],
  ['bad://host/project', 'scheme-not-valid'],
  ['bad://host:443/project:tag', 'scheme-not-valid'],
  ['libraries:project', 'scheme-not-valid'],
  ['docker://alpine:3.9', 'scheme-not-valid'],
  // no userinfo
  ['library://user@host/project', 'user-not-permitted'],
  ['library://user@host/project:tag', 'user-not-permitted'],
  ['library://user@host:443/project', 'user-not-permitted'],
  ['library://user:pw@host:443/project:tag', 'user-not-permitted'],
  // no query
  ['library:project?query', 'query-not-permitted'],
  ['library:project:tag?query', 'query-not-permitted'],
  ['library:/project?query', 'query-not-permitted'],
  ['library:///project:tag?query', 'query-not-permitted'],
  ['library://host/e/project?query', 'query-not-permitted'],
  ['library://host:443/e/project:tag?a=b', 'query-not-permitted'],
  ['library:project??', 'query-not-permitted'],
  // no fragment
  ['library:project#fragment', 'fragment-not-permitted'],
  ['library:project:tag#fragment', 'fragment-not-permitted'],
  ['library:/project#fragment', 'fragment-not-permitted'],
  ['library:///project:tag#fragment', 'fragment-not-permitted'],
  ['library://host/e/project#fragment', 'fragment-not-permitted'],
  ['library://host:443/e/project:tag#f', 'fragment-not-permitted'],
  ['library:project#%zz', 'fragment-not-permitted'],
  // a trailing colon needs tags
  ['library:project:', 'tags-not-valid'],
  ['library:/project:', 'tags-not-valid'],
  ['library:///project:', 'tags-not-valid'],
  ['library://host/e/project:', 'tags-not-valid'],
  // one colon at most between path and tags
  ['library:project:tag:extra', 'path-not-valid'],
  ['library:/project:tag:extra', 'path-not-valid'],
  ['library:///project:tag:extra', 'path-not-valid'],
  ['library://host/e/project:tag:extra', 'path-not-valid'],
  ['library://host:443/e/project:tag:extra', 'path-not-valid'],
  // bare ? and # are tolerated
  ['library:project?', ['', 'project']],
  ['library:project#', ['', 'project']],
  ['library:project:tag?#', ['', 'project', ['tag']]],
  // hostless forms
  ['library:project', ['', 'project']],
  ['library:project:tag', ['', 'project', ['tag']]],
  ['library:/project', ['', 'project']],
  ['library:/project:tag', ['', 'project', ['tag']]],
  ['library:///project', ['', 'project']],
  ['library:///project:tag', ['', 'project', ['tag']]],
  ['library:entity/project', ['', 'entity/project']],
  ['library:/entity/project:tag', ['', 'entity/project', ['tag']]],
  ['library:///entity/project:tag', ['', 'entity/project', ['tag']]],
  ['library:entity/collection/container', ['', 'entity/collection/container']],
  ['library:/entity/collection/container:tag', ['', 'entity/collection/container', ['tag']]],
  ['library:///entity/collection/container:tag', ['', 'entity/collection/container', ['tag']]],
  ['LIBRARY:project', ['', 'project']],
  ['Library:/e/c/p:t', ['', 'e/c/p', ['t']]],
  ['library:////project', ['', '/project']],
  ['library:pro%20ject', ['', 'pro%20ject']],
  ['library:///pro%20ject', ['', 'pro ject']],
  // tags
  ['library:project:tag1', ['', 'project', ['tag1']]],
  ['library:project:tag1,tag2', ['', 'project', ['tag1', 'tag2']]],
  ['library:project:tag1,tag2,tag3', ['', 'project', ['tag1', 'tag2', 'tag3']]],
  ['library:project:a,,b', ['', 'project', ['a', '', 'b']]],
  ['library:project:sha256.abc', ['', 'project', ['sha256.abc']]],
  // hosts with two (or four) path components keep their host in both parsers
  ['library://host/entity/collection/container', ['host', 'entity/collection/container']],
  ['library://h:1/e/c/n:t1,t2', ['h:1', 'e/c/n', ['t1', 't2']]],
]

// Inputs where Parse and ParseAmbiguous disagree: hostless for 1 or 3 components.
const differing: Array<[string, parse: Expect, ambiguous: Expect]> = [
  ['library://host', 'path-not-valid', ['', 'host']],
  ['library://host/', 'path-not-valid', 'path-not-valid'],
  ['library://project:tag', 'path-not-valid', ['', 'project', ['tag']]],
  ['library://alpine', 'path-not-valid', ['', 'alpine']],
  ['library://alpine:3.9', 'path-not-valid', ['', 'alpine', ['3.9']]],
  ['library://host/project', ['host', 'project'], ['host', 'project']],
  ['library://e/c/img', ['e', 'c/img'], ['', 'e/c/img']],
  ['library://e/c/img:tag', ['e', 'c/img', ['tag']], ['', 'e/c/img', ['tag']]],
  ['library://e/c/img:t1,t2', ['e', 'c/img', ['t1', 't2']], ['', 'e/c/img', ['t1', 't2']]],
  ['library://host/e/c/img', ['host', 'e/c/img'], ['host', 'e/c/img']],
  ['library://host/e/c/img:tag', ['host', 'e/c/img', ['tag']], ['host', 'e/c/img', ['tag']]],
  ['library://a/b/c?q', 'query-not-permitted', 'query-not-permitted'],
  ['library://user@h/c', 'user-not-permitted', 'user-not-permitted'],
  ['library://user@h/b/c', 'user-not-permitted', ['', 'user@h/b/c']],
  ['library://e/c/img:', 'tags-not-valid', 'tags-not-valid'],
  ['library://e/c/img#x', 'fragment-not-permitted', 'fragment-not-permitted'],
  ['library://host:443', 'path-not-valid', ['', 'host', ['443']]],
  ['library://ho st/a/b', 'path-not-valid', ['', 'ho st/a/b']],
  ['library://h%41/a/b', 'path-not-valid', ['', 'hA/a/b']],
  ['library://@host/e/p', 'user-not-permitted', ['', '@host/e/p']],
  ['library://host:443/e/project:', 'tags-not-valid', 'path-not-valid'],
  ['library://host/entity/project', ['host', 'entity/project'], ['', 'host/entity/project']],
  [
    'library://host/entity/project:tag',
    ['host', 'entity/project', ['tag']],
    ['', 'host/entity/project', ['tag']],
  ],
  [
    'library://host:443/entity/project',
    ['host:443', 'entity/project'],
    ['', 'host', ['443/entity/project']],
  ],
  [
    'library://host:443/entity/project:tag',
    ['host:443', 'entity/project', ['tag']],
    'path-not-valid',
  ],
  ['library://host:/e/p', ['host:', 'e/p'], ['', 'host', ['/e/p']]],
  ['library://127.0.0.1:443/e/p', ['127.0.0.1:443', 'e/p'], ['', '127.0.0.1', ['443/e/p']]],
  [
    'library://[fe80::1ff:fe23:4567:890a]/e/p',
    ['[fe80::1ff:fe23:4567:890a]', 'e/p'],
    'path-not-valid',
  ],
  [
    'library://[fe80::1ff:fe23:4567:890a]:443/e/p',
    ['[fe80::1ff:fe23:4567:890a]:443', 'e/p'],
    'path-not-valid',
  ],
  ['library://[::1%25en%30]/e/p', ['[::1%en0]', 'e/p'], 'path-not-valid'],
  ['library://h/e/a%3Ab', ['h', 'e/a', ['b']], ['', 'h/e/a', ['b']]],
  [
    'library://[fe80::1ff:fe23:4567:890a%25eth1]:443/e/p:t',
    ['[fe80::1ff:fe23:4567:890a%eth1]:443', 'e/p', ['t']],
    'path-not-valid',
  ],
]

function check(parse: (raw: string) => LibraryRef, input: string, expected: Expect) {
  if (typeof expected === 'string') {
    let caught: unknown
    try {
      parse(input)
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(RefError)
    expect((caught as RefError).code).toBe(expected)
    expect((caught as RefError).input).toBe(input)
    return
  }
  const [host, path, tags] = expected
  expect(parse(input)).toEqual({ host, path, tags: tags ?? null })
}

describe('parseLibraryRef', () => {
  it.each(both)('%j', (input, expected) => check(parseLibraryRef, input, expected))
  it.each(differing)('%j', (input, expected) => check(parseLibraryRef, input, expected))
})

describe('parseAmbiguousLibraryRef', () => {
  it.each(both)('%j', (input, expected) => check(parseAmbiguousLibraryRef, input, expected))
  it.each(differing)('%j', (input, _parse, expected) =>
    check(parseAmbiguousLibraryRef, input, expected),
  )
})

it('covers every error code and at least 80 inputs', () => {
  const codes = new Set(
    [...both.map(([, e]) => e), ...differing.flatMap(([, a, b]) => [a, b])].filter(
      (e): e is RefErrorCode => typeof e === 'string',
    ),
  )
  expect([...codes].sort()).toEqual([
    'fragment-not-permitted',
    'path-not-valid',
    'query-not-permitted',
    'scheme-not-valid',
    'tags-not-valid',
    'user-not-permitted',
  ])
  expect(both.length + differing.length).toBeGreaterThanOrEqual(80)
})

it('names the rule and the input in the message', () => {
  expect(() => parseLibraryRef('library://host:tag/e/p')).toThrow(
    /library: ref path not valid: "library:\/\/host:tag\/e\/p" \(invalid port ":tag" after host\)/,
  )
  expect(() => parseLibraryRef(42 as unknown as string)).toThrow(RefError)
})

describe('formatLibraryRef', () => {
  it.each<[LibraryRef, string]>([
    [{ host: '', path: 'project', tags: null }, 'library:project'],
    [{ host: '', path: 'project', tags: ['tag'] }, 'library:project:tag'],
    [{ host: '', path: 'project', tags: [] }, 'library:project'],
    [{ host: '', path: 'e/c/p', tags: ['t1', 't2', 't3'] }, 'library:e/c/p:t1,t2,t3'],
    [{ host: 'host', path: 'project', tags: null }, 'library://host/project'],
    [{ host: 'host:443', path: 'e/c/p', tags: ['tag'] }, 'library://host:443/e/c/p:tag'],
    [{ host: '127.0.0.1:443', path: 'project', tags: null }, 'library://127.0.0.1:443/project'],
    [{ host: '[fe80::1]:443', path: 'p', tags: null }, 'library://[fe80::1]:443/p'],
    [{ host: '[fe80::1%eth1]', path: 'p', tags: null }, 'library://[fe80::1%25eth1]/p'],
    [{ host: '[fe80::1%eth1]:443', path: 'p', tags: ['t'] }, 'library://[fe80::1%25eth1]:443/p:t'],
    [{ host: 'h', path: 'a b?', tags: null }, 'library://h/a%20b%3F'],
  ])('%j → %s', (ref, text) => {
    expect(formatLibraryRef(ref)).toBe(text)
  })

  it.each([
    'library:project',
    'library:e/c/p:t1,t2',
    'library://host:443/e/c/p:tag',
    'library://[fe80::1ff:fe23:4567:890a%25eth1]:443/project',
    'library://h/a%20b',
  ])('round-trips %s', (text) => {
    expect(formatLibraryRef(parseLibraryRef(text))).toBe(text)
  })
})

describe('hostname and port', () => {
  it.each([
    ['library:project', '', ''],
    ['library://host/e/p', 'host', ''],
    ['library://host.name:443/e/p', 'host.name', '443'],
    ['library://127.0.0.1:443/e/p', '127.0.0.1', '443'],
    ['library://[fe80::1ff:fe23:4567:890a]/e/p', 'fe80::1ff:fe23:4567:890a', ''],
    ['library://[fe80::1ff:fe23:4567:890a]:443/e/p', 'fe80::1ff:fe23:4567:890a', '443'],
    ['library://[fe80::1%25eth1]:443/e/p', 'fe80::1%eth1', '443'],
  ])('%s', (text, hostname, port) => {
    const ref = parseLibraryRef(text)
    expect(libraryRefHostname(ref)).toBe(hostname)
    expect(libraryRefPort(ref)).toBe(port)
  })
})
