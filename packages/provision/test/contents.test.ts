import { describe, expect, it } from 'vitest'
import type { Content } from '../src/index.js'
import { startMock } from './helpers.js'

const bundle = (version: string, tasks: string[]): Content => ({
  meta: { Name: 'demo', Version: version, Description: 'demo pack' },
  sections: {
    tasks: Object.fromEntries(
      tasks.map((t) => [
        t,
        { Name: t, Templates: [{ Name: 'run', Path: '', Contents: 'echo hi' }] },
      ]),
    ),
  },
})

describe('contents', () => {
  it('creates, reads, replaces and deletes a bundle; its objects are read-only', async () => {
    const { client, mock } = await startMock()
    const summary = await client.createContent(bundle('v1', ['hello', 'bye']))
    expect(summary).toMatchObject({
      meta: { Name: 'demo', Version: 'v1', Type: 'dynamic' },
      Counts: { tasks: 2 },
    })
    expect(mock.events.at(-1)).toMatchObject({ Type: 'contents', Action: 'create', Key: 'demo' })
    expect((await client.getModel('tasks', 'hello')).ReadOnly).toBe(true)
    const names = (await client.getContentSummary()).map((s) => s.meta.Name)
    expect(names).toEqual(['BackingStore', 'LocalStore', 'DefaultStore', 'BasicStore', 'demo'])
    const item = await client.getContentItem('demo')
    expect(Object.keys(item.sections!.tasks!)).toEqual(['hello', 'bye'])
    await expect(client.deleteModel('tasks', 'hello')).rejects.toMatchObject({
      status: 404,
      messages: ['readonly: hello'],
    })

    expect((await client.replaceContent(bundle('v2', ['hello']))).Counts).toEqual({ tasks: 1 })
    expect(await client.existsModel('tasks', 'bye')).toBe(false)
    expect(mock.events.at(-1)).toMatchObject({ Action: 'update', Key: 'demo' })

    await client.deleteContent('demo')
    expect(await client.existsModel('tasks', 'hello')).toBe(false)
    await expect(client.getContentItem('demo')).rejects.toMatchObject({
      status: 404,
      messages: ['No such content store'],
    })
  })

  it.each([
    [
      'a duplicate name',
      async (c: any) =>
        (await c.createContent(bundle('v1', []))) && c.createContent(bundle('v1', [])),
      409,
      'Content demo already exists',
    ],
    [
      'no name',
      (c: any) => c.createContent({ meta: {}, sections: {} }),
      422,
      'Content Store must have a name',
    ],
    [
      'a key clash with another layer',
      (c: any) =>
        c.createContent({ meta: { Name: 'x' }, sections: { stages: { none: { Name: 'none' } } } }),
      409,
      'New layer violates key restrictions: stages:none',
    ],
    [
      'replacing an unknown bundle',
      (c: any) => c.replaceContent({ meta: { Name: 'ghost' } }),
      404,
      'Cannot find ghost',
    ],
    [
      'deleting an unknown bundle',
      (c: any) => c.deleteContent('ghost'),
      404,
      'No such content store',
    ],
  ])('refuses %s', async (_n, call, status, message) => {
    const { client } = await startMock()
    await expect(call(client)).rejects.toMatchObject({ status, messages: [message] })
  })

  it('replaceContent needs a name before sending', async () => {
    const { client, mock } = await startMock()
    const from = mock.requests.length
    await expect(client.replaceContent({ meta: {} })).rejects.toMatchObject({ code: 'ERR_MODEL' })
    expect(mock.requests.length).toBe(from)
  })
})
