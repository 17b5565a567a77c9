import { describe, expect, it } from 'vitest'
import { startMock } from '../helpers.js'

describe('mock: params sub-resource', () => {
  it('reads, aggregates, sets, patches and deletes params as updates of the owner', async () => {
    const { client, mock } = await startMock()
    await client.createModel('params', {
      Name: 'ntp',
      Schema: { type: 'string', default: 'pool.ntp.org' },
    })
    await client.createModel('profiles', { Name: 'rack', Params: { rack: 4 } })
    const m = await client.createModel('machines', { Name: 'p.example.com', Profiles: ['rack'] })
    const at = (...rest: string[]) => client.req().urlFor('machines', m.Uuid!, 'params', ...rest)
    expect(await at().do()).toEqual({})
    expect(await at('rack').params('aggregate', 'true').do()).toBe(4)
    expect(await at('ntp').do()).toBeNull()
    expect(await at('ntp').params('aggregate', 'true').do()).toBe('pool.ntp.org')
    expect(await at('change-stage/map').post({ a: 'b:Success' }).do()).toEqual({ a: 'b:Success' })
    expect(mock.object('machines', m.Uuid!)!.Params).toEqual({
      'change-stage/map': { a: 'b:Success' },
    })
    expect(mock.events.at(-1)).toMatchObject({ Type: 'machines', Action: 'update', Key: m.Uuid })
    expect(
      await at()
        .patch([{ op: 'add', path: '/x', value: 1 }])
        .do(),
    ).toEqual({ 'change-stage/map': { a: 'b:Success' }, x: 1 })
    expect(await at('x').del().do()).toBe(1)
    await expect(at('x').del().do()).rejects.toMatchObject({ status: 404 })
    expect(await at().post({ only: true }).do()).toEqual({ only: true })
    expect(
      await client
        .req()
        .urlFor('machines', 'Name:p.example.com', 'params')
        .params('aggregate', 'true')
        .do(),
    ).toEqual({
      only: true,
      rack: 4,
    })
  })
})

describe('mock: meta sub-resource', () => {
  it('reads and patches Meta as an update of the object', async () => {
    const { client, mock } = await startMock()
    await client.createModel('profiles', { Name: 'metad', Meta: { color: 'blue' } })
    expect(await client.req().urlFor('meta', 'profiles', 'Name:metad').do()).toEqual({
      color: 'blue',
    })
    const next = await client
      .req()
      .urlFor('meta', 'profiles', 'metad')
      .patch([
        { op: 'test', path: '/color', value: 'blue' },
        { op: 'replace', path: '/color', value: 'red' },
      ])
      .do()
    expect(next).toEqual({ color: 'red' })
    expect(mock.events.at(-1)).toMatchObject({ Type: 'profiles', Action: 'update', Key: 'metad' })
    await expect(
      client
        .req()
        .urlFor('meta', 'profiles', 'metad')
        .patch([{ op: 'test', path: '/color', value: 'blue' }])
        .do(),
    ).rejects.toMatchObject({ status: 409 })
    await expect(client.req().urlFor('meta', 'widgets', 'x').do()).rejects.toMatchObject({
      status: 400,
      messages: ['No such Model: widgets'],
    })
    await expect(client.req().urlFor('meta', 'interfaces', 'lo').do()).rejects.toMatchObject({
      status: 400,
    })
  })
})
