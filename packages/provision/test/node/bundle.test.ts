import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import type { Content } from '../../src/index.js'
import { BundleError, bundleContent, unbundleContent } from '../../src/node/index.js'
import { onCleanup, startMock } from '../helpers.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wharf-bundle-'))
  onCleanup(() => rm(dir, { recursive: true, force: true }))
})

const CONTENT: Content = {
  meta: {
    Name: 'pack',
    Version: 'v1.2.3',
    Description: 'a pack',
    Documentation: '',
    Source: 'tests',
    Type: 'dynamic',
  },
  sections: {
    params: { 'change-stage/map': { Name: 'change-stage/map', Schema: { type: 'object' } } },
    reservations: { C0A8010A: { Addr: '192.168.1.10', Token: 'mac' } },
    tasks: {
      hello: {
        Name: 'hello',
        Templates: [{ Name: 'run', Path: '', Contents: '#!/bin/sh\necho hi\n' }],
      },
    },
    templates: { 'boot.tmpl': { ID: 'boot.tmpl', Contents: 'kernel {{.Env.Kernel}}\n' } },
  },
}

describe('bundleContent / unbundleContent', () => {
  it('round-trips a bundle through a directory tree of YAML and raw template files', async () => {
    const out = join(dir, 'tree')
    await unbundleContent(CONTENT, out)
    expect((await readdir(out)).sort()).toEqual([
      '._Description.meta',
      '._Name.meta',
      '._Source.meta',
      '._Type.meta',
      '._Version.meta',
      'params',
      'reservations',
      'tasks',
      'templates',
    ])
    expect(await readdir(join(out, 'params'))).toEqual(['change-stage%2Fmap.yaml'])
    expect(await readFile(join(out, 'templates', 'boot.tmpl'), 'utf8')).toBe(
      'kernel {{.Env.Kernel}}\n',
    )
    const back = await bundleContent(out)
    expect(back.sections).toEqual(CONTENT.sections)
    expect(back.meta).toMatchObject({
      Name: 'pack',
      Version: 'v1.2.3',
      Documentation: 'Unspecified',
      Type: 'dynamic',
    })
  })

  it('reads YAML and JSON items, applies meta overrides, and installs on the server', async () => {
    const { client } = await startMock()
    await mkdir(join(dir, 'tasks'))
    await writeFile(join(dir, 'tasks', 'a.yaml'), 'Name: task-a\nDescription: from yaml\n')
    await writeFile(join(dir, 'tasks', 'b.json'), '{"Name": "task-b"}')
    const content = await bundleContent(dir, { meta: { Name: 'local-pack' } })
    expect(Object.keys(content.sections!.tasks!)).toEqual(['task-a', 'task-b'])
    await client.createContent(content)
    expect((await client.getModel('tasks', 'task-a')).Description).toBe('from yaml')
  })

  it.each([
    [
      'a file of another kind',
      async () => writeFile(join(dir, 'notes.txt'), 'x'),
      'not a section directory',
    ],
    ['an unknown section', async () => mkdir(join(dir, 'widgets')), 'not a section directory'],
    [
      'a non-data file in a section',
      async () => mkdir(join(dir, 'tasks')).then(() => writeFile(join(dir, 'tasks', 'a.txt'), 'x')),
      'expected a .yaml',
    ],
    [
      'broken YAML',
      async () =>
        mkdir(join(dir, 'tasks')).then(() => writeFile(join(dir, 'tasks', 'a.yaml'), 'Name: [')),
      'not valid YAML',
    ],
    [
      'an item without key',
      async () =>
        mkdir(join(dir, 'tasks')).then(() =>
          writeFile(join(dir, 'tasks', 'a.yaml'), 'Description: x'),
        ),
      'has no key',
    ],
  ])('refuses %s', async (_n, setup, text) => {
    await setup()
    const error = await bundleContent(dir).catch((e) => e)
    expect(error).toBeInstanceOf(BundleError)
    expect(error.message).toContain(text)
  })

  it('never writes into an existing directory and leaves nothing behind on failure', async () => {
    await expect(unbundleContent(CONTENT, dir)).rejects.toThrow(/already exists/)
    const bad = { meta: { Name: 'x' }, sections: { widgets: { a: {} } } } as unknown as Content
    await expect(unbundleContent(bad, join(dir, 'out'))).rejects.toThrow(/unknown section/)
    expect(await readdir(dir)).toEqual([])
  })
})
