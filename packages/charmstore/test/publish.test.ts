import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ErrorCode } from '../src/index.js'
import { charmZip, startStore, unexpected } from './fixtures.js'

describe('publish, extra info, log and stats against the mock', () => {
  let env: Awaited<ReturnType<typeof startStore>>
  beforeAll(async () => {
    env = await startStore()
    await env.client.uploadCharm('~bob/trusty/blog', charmZip('blog'))
    await env.client.uploadCharm('~bob/trusty/blog', charmZip('blog', { extra: { version: '2' } }))
  })
  afterAll(() => env.close())

  it('publish sends channels and resources, and moves the channel’s current revision', async () => {
    await env.client.publish('~bob/trusty/blog-0', ['stable', 'candidate'])
    const sent = env.mock.requests.at(-1)!
    expect(sent.method).toBe('PUT')
    expect(sent.path).toBe('/~bob/trusty/blog-0/publish')
    expect((await env.client.meta('~bob/trusty/blog', {})).id.revision).toBe(0)
    await env.client.publish('~bob/trusty/blog-1', ['stable'])
    expect((await env.client.meta('~bob/trusty/blog', {})).id.revision).toBe(1)
    const { meta } = await env.client.meta('~bob/trusty/blog-0', { published: true })
    expect(meta.published!.Info).toEqual([
      { Channel: 'stable', Current: false },
      { Channel: 'candidate', Current: true },
    ])
    const before = env.mock.requests.length
    await env.client.publish('~bob/trusty/blog-1', [])
    expect(env.mock.requests.length).toBe(before) // nothing sent for no channels
    const bad = await env.client
      .put('/~bob/trusty/blog-1/publish', { Channels: ['unpublished'] })
      .then(unexpected, (e: any) => e)
    expect(bad.storeCode).toBe(ErrorCode.BadRequest)
  })

  it('putExtraInfo and putCommonInfo set keys, null deletes, bad keys are refused locally', async () => {
    await env.client.putExtraInfo('~bob/trusty/blog-1', { vcs: 'git', n: 2 })
    await env.client.putExtraInfo('~bob/trusty/blog-1', { n: null, tags: ['a'] })
    await env.client.putCommonInfo('~bob/trusty/blog-1', { homepage: 'https://example.invalid' })
    const { meta } = await env.client.meta('~bob/trusty/blog-0', {
      extraInfo: true,
      commonInfo: true,
    })
    expect(meta.extraInfo).toEqual({}) // per revision
    expect(meta.commonInfo).toEqual({ homepage: 'https://example.invalid' }) // shared
    const one = await env.client.meta('~bob/trusty/blog-1', { extraInfo: true })
    expect(one.meta.extraInfo).toEqual({ vcs: 'git', tags: ['a'] })
    await expect(env.client.putExtraInfo('~bob/trusty/blog-1', { 'a.b': 1 })).rejects.toThrow(
      /bad key for extra-info/,
    )
  })

  it('log posts a JSON entry (admin only on the store)', async () => {
    await env.client.log('ingestion', 'warning', 'something odd', ['~bob/trusty/blog-1'])
    const sent = env.mock.requests.at(-1)!
    expect(sent.headers.get('content-type')).toBe('application/json')
    expect(env.mock.state.logs.at(-1)).toMatchObject({
      Data: 'something odd',
      Level: 'warning',
      Type: 'ingestion',
      URLs: ['cs:~bob/trusty/blog-1'],
    })
    await expect(env.client.log('ingestion', 'loud' as any, 'x')).rejects.toThrow(
      /invalid log level/,
    )
  })

  it('statsUpdate counts downloads', async () => {
    await env.client.statsUpdate({
      Entries: [
        {
          Timestamp: '2015-08-06T06:46:13Z',
          Type: 'download',
          CharmReference: 'cs:~bob/trusty/blog-1',
        },
      ],
    })
    const { meta } = await env.client.meta('~bob/trusty/blog-1', { stats: true })
    expect(meta.stats!.ArchiveDownloadCount).toBe(1)
    expect(env.mock.state.stats.updates).toHaveLength(1)
    const bad = await env.client
      .statsUpdate({
        Entries: [
          { Timestamp: '2015-08-06T06:46:13Z', Type: 'download', CharmReference: 'cs:~bob/none' },
        ],
      })
      .then(unexpected, (e: any) => e)
    expect(bad.storeCode).toBe(ErrorCode.NotFound)
  })

  it('whoami refuses admin credentials', async () => {
    const error = await env.client.whoAmI().then(unexpected, (e: any) => e)
    expect(error.storeCode).toBe(ErrorCode.Forbidden)
  })
})
