import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import { hyphenate, isNotFound, withChannel } from '../src/index.js'
import { bundleZip, charmZip, startStore, unexpected } from './fixtures.js'

describe('hyphenate (csclient field names)', () => {
  it.each([
    ['Hello', 'hello'],
    ['HelloThere', 'hello-there'],
    ['HelloHTTP', 'hello-http'],
    ['helloHTTP', 'hello-http'],
    ['Long4Camel32WithDigits45', 'long4-camel32-with-digits45'],
    ['With_Dubious_Underscore', 'with_-dubious_-underscore'],
    ['ArchiveSize', 'archive-size'],
    ['IdRevision', 'id-revision'],
    ['Hash256', 'hash256'],
    ['archiveUploadTime', 'archive-upload-time'],
  ])('%s → %s', (field, name) => expect(hyphenate(field)).toBe(name))
})

describe('meta and latest against the mock', () => {
  let env: Awaited<ReturnType<typeof startStore>>
  beforeAll(async () => {
    env = await startStore()
    const c = env.client
    await c.uploadCharm('~bob/trusty/wordpress', charmZip('wordpress')) // rev 0
    await c.uploadCharm(
      '~bob/trusty/wordpress',
      charmZip('wordpress', { extra: { 'icon.svg': '<svg/>' } }),
    ) // rev 1
    await c.uploadCharm('~bob/wordpress', charmZip('wordpress', { series: ['xenial', 'bionic'] })) // multi-series, rev 2
    await c.uploadBundleWithRevision('~bob/bundle/blog-5', bundleZip())
    await c.publish('~bob/trusty/wordpress-0', ['stable'])
    await c.publish('~bob/wordpress-2', ['edge'])
  })
  afterAll(() => env.close())

  it('builds include names from the keys and returns typed results with the resolved id', async () => {
    const { id, meta } = await env.client.meta('~bob/trusty/wordpress-1', {
      archiveSize: true,
      charmMetadata: true,
      idRevision: true,
      supportedSeries: true,
      charmConfig: true,
      hash: true,
      digest: 'extra-info/digest',
    })
    expectTypeOf(meta.archiveSize).toEqualTypeOf<{ Size: number } | undefined>()
    expectTypeOf(meta.idRevision).toEqualTypeOf<{ Revision: number } | undefined>()
    expectTypeOf(meta.digest).toEqualTypeOf<unknown>()
    expect(id.toString()).toBe('cs:~bob/trusty/wordpress-1')
    expect(meta.archiveSize!.Size).toBeGreaterThan(100)
    expect(meta.charmMetadata!.Name).toBe('wordpress')
    expect(meta.charmMetadata!.Description).toBe('wordpress does things.\nOn two lines.')
    expect(meta.charmMetadata!.Requires!.db!.Interface).toBe('mysql')
    expect(meta.idRevision!.Revision).toBe(1)
    expect(meta.supportedSeries!.SupportedSeries).toEqual(['trusty'])
    expect(meta.charmConfig!.Options.title!.Default).toBe('hello')
    expect(meta.hash!.Sum).toMatch(/^[0-9a-f]{96}$/)
    expect('digest' in meta).toBe(false) // no data: left out
    const sent = new URL(env.mock.requests.at(-1)!.url)
    expect(sent.pathname).toBe('/v5/~bob/trusty/wordpress-1/meta/any')
    expect(sent.searchParams.getAll('include')).toEqual([
      'archive-size',
      'charm-metadata',
      'id-revision',
      'supported-series',
      'charm-config',
      'hash',
      'extra-info/digest',
    ])
    await env.client.putExtraInfo('~bob/trusty/wordpress-1', { digest: 'abc' })
    const again = await env.client.meta('~bob/trusty/wordpress-1', { digest: 'extra-info/digest' })
    expect(again.meta.digest).toBe('abc')
  })

  it('resolves ids through channels: stable by default, others by request', async () => {
    expect((await env.client.meta('~bob/wordpress', {})).id.toString()).toBe(
      'cs:~bob/trusty/wordpress-0',
    )
    const edge = await env.client.metaWithChannel('~bob/wordpress', { idSeries: true }, 'edge')
    expect(edge.id.toString()).toBe('cs:~bob/wordpress-2')
    expect(edge.meta.idSeries!.Series).toBe('')
    expect(new URL(env.mock.requests.at(-1)!.url).searchParams.get('channel')).toBe('edge')
    const viaRef = await env.client.meta(withChannel('~bob/trusty/wordpress', 'unpublished'), {})
    expect(viaRef.id.toString()).toBe('cs:~bob/trusty/wordpress-1')
    // rev 1 is newer but unpublished: stable still resolves to rev 0
    expect((await env.client.meta('~bob/trusty/wordpress', {})).id.revision).toBe(0)
    const none = await env.client
      .metaWithChannel('~bob/trusty/wordpress', {}, 'beta')
      .then(unexpected, (e: any) => e)
    expect(isNotFound(none)).toBe(true)
  })

  it('bundle items: metadata with lower-case applications, machine and unit counts', async () => {
    const { meta } = await env.client.meta('~bob/bundle/blog-5', {
      bundleMetadata: true,
      bundleUnitCount: true,
      bundleMachineCount: true,
      charmMetadata: true,
    })
    expect(Object.keys(meta.bundleMetadata!.applications).sort()).toEqual(['mysql', 'wordpress'])
    expect(meta.bundleMetadata!.applications.wordpress!.NumUnits).toBe(2)
    expect(meta.bundleUnitCount!.Count).toBe(3)
    expect(meta.bundleMachineCount!.Count).toBe(1)
    expect(meta.charmMetadata).toBeUndefined()
  })

  it('published, revision-info, owner and manifest', async () => {
    const { meta } = await env.client.meta('~bob/trusty/wordpress-0', {
      published: true,
      revisionInfo: true,
      owner: true,
      manifest: true,
    })
    expect(meta.published!.Info).toEqual([{ Channel: 'stable', Current: true }])
    expect(meta.revisionInfo!.Revisions).toEqual([
      'cs:~bob/trusty/wordpress-1',
      'cs:~bob/trusty/wordpress-0',
    ])
    expect(meta.owner!.User).toBe('bob')
    expect(meta.manifest!.map((f) => f.Name).sort()).toEqual([
      'README.md',
      'config.yaml',
      'hooks/install',
      'metadata.yaml',
    ])
  })

  it('rejects malformed include specs before sending', async () => {
    const before = env.mock.requests.length
    await expect(env.client.meta('~bob/wordpress', { bad: 42 as any })).rejects.toThrow(
      /must be true or a non-empty include name/,
    )
    expect(env.mock.requests.length).toBe(before)
  })

  it('latest gives the newest revision per id, ignoring revisions, with per-id errors', async () => {
    const revs = await env.client.latest([
      '~bob/trusty/wordpress-0',
      'cs:~bob/trusty/missing',
      '~bob/wordpress',
    ])
    expect(revs[0]).toEqual({ revision: 0 })
    expect(revs[1]!.revision).toBe(-1)
    expect(revs[1]!.error?.message).toContain('not found')
    expect(revs[2]).toEqual({ revision: 0 }) // stable: the multi-series rev 2 is only on edge
    const sent = new URL(env.mock.requests.at(-1)!.url)
    expect(sent.searchParams.getAll('id')).toEqual([
      'cs:~bob/trusty/wordpress',
      'cs:~bob/trusty/missing',
      'cs:~bob/wordpress',
    ])
    expect(sent.searchParams.get('ignore-auth')).toBe('1')
    expect(await env.client.latest([])).toEqual([])
  })

  it('the client channel reaches latest too', async () => {
    const revs = await env.client.withChannel('unpublished').latest(['~bob/trusty/wordpress'])
    expect(revs[0]).toEqual({ revision: 1 })
  })
})
