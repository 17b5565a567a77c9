import { describe, expect, it } from 'vitest'
import {
  CharmURL,
  InvalidCharmURLError,
  parseChannel,
  parseCharmURL,
  withChannel,
  withRevision,
} from '../src/index.js'

type Valid = [input: string, canonical: string, parts: Partial<CharmURL>]
const valid: Valid[] = [
  [
    'cs:~user/series/name',
    'cs:~user/series/name',
    { user: 'user', series: 'series', revision: -1 },
  ],
  ['cs:~user/series/name-0', 'cs:~user/series/name-0', { revision: 0 }],
  ['cs:series/name', 'cs:series/name', { user: '', series: 'series' }],
  ['cs:series/name-44', 'cs:series/name-44', { revision: 44 }],
  ['local:series/name-1', 'local:series/name-1', { schema: 'local' }],
  ['local:series/n0-0n-n0', 'local:series/n0-0n-n0', { name: 'n0-0n-n0', revision: -1 }],
  ['local:name', 'local:name', { schema: 'local', series: '' }],
  ['cs:name', 'cs:name', { name: 'name', series: '' }],
  ['name', 'cs:name', { schema: 'cs' }],
  ['name-7', 'cs:name-7', { revision: 7 }],
  ['series/name', 'cs:series/name', { series: 'series' }],
  ['series/name-3', 'cs:series/name-3', { revision: 3 }],
  ['~user/name', 'cs:~user/name', { user: 'user', series: '' }],
  ['~user/name-9', 'cs:~user/name-9', { revision: 9 }],
  ['~user/series/name-1', 'cs:~user/series/name-1', { series: 'series' }],
  ['cs:~user/name', 'cs:~user/name', { user: 'user' }],
  ['cs:~bob/trusty/wordpress-42', 'cs:~bob/trusty/wordpress-42', { name: 'wordpress' }],
  ['cs:bundle/openstack-3', 'cs:bundle/openstack-3', { series: 'bundle' }],
  ['cs:~joe/bundle/mediawiki-single', 'cs:~joe/bundle/mediawiki-single', { revision: -1 }],
  ['wordpress-01', 'cs:wordpress-1', { revision: 1 }],
  ['foo-1a', 'cs:foo-1a', { name: 'foo-1a', revision: -1 }],
  ['cs:mysql-cluster-5', 'cs:mysql-cluster-5', { name: 'mysql-cluster', revision: 5 }],
  ['cs:~user.name/x', 'cs:~user.name/x', { user: 'user.name' }],
  ['cs:~user+ext/x', 'cs:~user+ext/x', { user: 'user+ext' }],
  ['cs:~bob@external/x', 'cs:~bob@external/x', { user: 'bob@external' }],
  ['cs:~Bob-2/x', 'cs:~Bob-2/x', { user: 'Bob-2' }],
  ['cs:centos7/app', 'cs:centos7/app', { series: 'centos7' }],
  ['cs:win2012r2/app-2', 'cs:win2012r2/app-2', { series: 'win2012r2' }],
  ['CS:name', 'cs:name', { schema: 'cs' }],
  ['https://jujucharms.com/u/bob/wordpress/trusty/42', 'cs:~bob/trusty/wordpress-42', {}],
  ['https://jujucharms.com/wordpress', 'cs:wordpress', { revision: -1 }],
  ['https://jujucharms.com/wordpress/42', 'cs:wordpress-42', { series: '' }],
  ['https://jujucharms.com/wordpress/trusty', 'cs:trusty/wordpress', { revision: -1 }],
  ['https://jujucharms.com/wordpress/trusty/7/', 'cs:trusty/wordpress-7', {}],
  ['http://jujucharms.com/u/bob/mysql', 'cs:~bob/mysql', { user: 'bob' }],
  ['https://jujucharms.com/u/bob/mysql/12', 'cs:~bob/mysql-12', {}],
  ['cs:a', 'cs:a', { name: 'a' }],
  ['cs:a1-b2c', 'cs:a1-b2c', { name: 'a1-b2c' }],
]

const invalid: Array<[input: string, reason: RegExp]> = [
  ['', /empty/],
  ['cs:', /no charm or bundle name/],
  ['cs:~user', /no charm or bundle name/],
  ['cs:~user/', /no charm or bundle name/],
  ['cs:~/name', /empty user name/],
  ['cs:~1/name', /invalid user name/],
  ['cs:~user_x/name', /invalid user name/],
  ['cs:~user-/name', /invalid user name/],
  ['cs:~bob@/name', /invalid user name/],
  ['local:~user/series/name', /local charm or bundle URL with user name/],
  ['local:~user/name', /local charm or bundle URL with user name/],
  ['bs:~user/series/name-1', /schema "bs" is not cs or local/],
  ['ch:name', /schema "ch"/],
  ['cs:~user/1series/name-1', /invalid series "1series"/],
  ['cs:Trusty/name', /invalid series "Trusty"/],
  ['cs:trusty-2/name', /invalid series/],
  ['cs:~user/series/name-1-2', /invalid name "name-1"/],
  ['cs:~user/series/name-1-name-2', /invalid name/],
  ['cs:~user/series/name--name-2', /invalid name "name--name"/],
  ['cs:foo-1-2', /invalid name "foo-1"/],
  ['cs:~user/series/huh/name', /too many path elements/],
  ['cs:~user/production/series/name-1', /too many path elements/],
  ['cs:a/b/c/d/e', /too many path elements/],
  ['cs:series/name/', /too many path elements/],
  ['cs:~bob//name', /empty series/],
  ['cs:Name', /invalid name "Name"/],
  ['cs:name-', /invalid name "name-"/],
  ['cs:1name', /invalid name "1name"/],
  ['cs:na_me', /invalid name/],
  ['cs:name-1?channel=edge', /unrecognized parts/],
  ['cs:name#frag', /unrecognized parts/],
  ['cs:na me', /unrecognized parts/],
  ['cs:name\n', /unrecognized parts/],
  ['cs://host/name', /"\/\/" after the schema/],
  ['https://user:pw@jujucharms.com/wordpress', /user info/],
  ['https://jujucharms.com/u/bob', /expected "\/u\/<user>\/<name>"/],
  ['https://jujucharms.com/wordpress/trusty/x', /malformed revision "x"/],
  ['https://jujucharms.com/wordpress/Trusty', /invalid series "Trusty"/],
  ['https://jujucharms.com/wordpress/trusty/1/2', /too many path elements/],
  ['https://jujucharms.com/u/b/wordpress', /invalid user name "b"/],
  ['https://jujucharms.com/', /invalid name ""/],
]

describe('parseCharmURL', () => {
  it('has a table of at least 60 cases', () => {
    expect(valid.length + invalid.length).toBeGreaterThanOrEqual(60)
  })

  it.each(valid)('parses %j as %s', (input, canonical, parts) => {
    const url = parseCharmURL(input)
    expect(url.toString()).toBe(canonical)
    expect(url).toMatchObject(parts)
    // The canonical form parses back to itself.
    expect(parseCharmURL(canonical).toString()).toBe(canonical)
    expect(JSON.stringify({ id: url })).toBe(JSON.stringify({ id: canonical }))
  })

  it.each(invalid)('rejects %j', (input, reason) => {
    let error: unknown
    try {
      parseCharmURL(input)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(InvalidCharmURLError)
    expect((error as InvalidCharmURLError).code).toBe('ERR_INVALID_CHARM_URL')
    expect((error as InvalidCharmURLError).input).toBe(input)
    expect((error as InvalidCharmURLError).reason).toMatch(reason)
  })

  it('rejects non-strings with a typed error', () => {
    expect(() => parseCharmURL(42 as any)).toThrow(InvalidCharmURLError)
  })
})

describe('CharmURL helpers', () => {
  it('path() leaves out the schema; withRevision/withSeries/withUser copy', () => {
    const url = parseCharmURL('cs:~bob/trusty/wordpress-42')
    expect(url.path()).toBe('~bob/trusty/wordpress-42')
    expect(withRevision(url, 7).toString()).toBe('cs:~bob/trusty/wordpress-7')
    expect(withRevision('cs:~bob/wordpress-3', -1).toString()).toBe('cs:~bob/wordpress')
    expect(url.withSeries('').toString()).toBe('cs:~bob/wordpress-42')
    expect(url.withUser('').toString()).toBe('cs:trusty/wordpress-42')
    expect(url.toString()).toBe('cs:~bob/trusty/wordpress-42')
    expect(() => url.withRevision(-5)).toThrow(/invalid revision -5/)
    expect(() => url.withSeries('Bad')).toThrow(InvalidCharmURLError)
    expect(() => new CharmURL({ name: 'x', user: 'bob', schema: 'local' })).toThrow(/local/)
  })

  it('withChannel binds a validated channel to an id', () => {
    const ref = withChannel('~bob/wordpress', 'edge')
    expect(ref.id.toString()).toBe('cs:~bob/wordpress')
    expect(ref.channel).toBe('edge')
    expect(() => withChannel('wordpress', 'development' as any)).toThrow(/invalid channel/)
    expect(parseChannel('stable')).toBe('stable')
  })
})
