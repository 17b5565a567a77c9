import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readArchiveFile } from '@wharf/charmstore'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startMock, wharf } from './helpers.js'

describe('wharf charm against `wharf mock charm`', () => {
  let mock: Awaited<ReturnType<typeof startMock>>
  let store: string[]
  let dir: string
  beforeAll(async () => {
    mock = await startMock('charm')
    store = ['--store', mock.urls.charm!]
    dir = await mkdtemp(join(tmpdir(), 'wharf-cli-charm-'))
    await mkdir(join(dir, 'hello', 'hooks'), { recursive: true })
    await writeFile(
      join(dir, 'hello', 'metadata.yaml'),
      'name: hello\nsummary: Says hello\ndescription: d\nseries: [focal]\nresources:\n  greeting:\n    type: file\n    filename: greeting.txt\n',
    )
    await writeFile(join(dir, 'hello', 'hooks', 'install'), '#!/bin/sh\necho hi\n')
    await writeFile(join(dir, 'greeting.txt'), 'hello, world\n')
  })
  afterAll(async () => {
    mock?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('logs in through the macaroon discharger and says who we are', async () => {
    const login = await wharf(['charm', 'login', ...store])
    expect(login.code, login.stderr).toBe(0)
    expect(login.stdout).toContain('logged in as demo')
    const who = await wharf(['--json', 'charm', 'whoami', ...store])
    expect(JSON.parse(who.stdout).User).toBe('demo')
  })

  it('pushes a charm, attaches a resource, publishes, shows and pulls it', async () => {
    const push = await wharf([
      '--json',
      'charm',
      'push',
      join(dir, 'hello'),
      '~demo/focal/hello',
      ...store,
    ])
    expect(push.code, push.stderr).toBe(0)
    const id = JSON.parse(push.stdout).id as string
    expect(id).toBe('cs:~demo/focal/hello-0')
    const attach = await wharf([
      '--json',
      'charm',
      'attach',
      id,
      `greeting=${join(dir, 'greeting.txt')}`,
      ...store,
    ])
    expect(attach.code, attach.stderr).toBe(0)
    const revision = JSON.parse(attach.stdout).revision
    const publish = await wharf([
      'charm',
      'publish',
      id,
      '--channel',
      'stable',
      '--resource',
      `greeting=${revision}`,
      ...store,
    ])
    expect(publish.code, publish.stderr).toBe(0)
    const show = await wharf([
      '--json',
      'charm',
      'show',
      '~demo/hello',
      '--include',
      'id,charm-metadata,published',
      ...store,
    ])
    expect(show.code, show.stderr).toBe(0)
    const shown = JSON.parse(show.stdout)
    expect(shown.id).toBe(id)
    expect(shown.meta['charm-metadata'].Summary).toBe('Says hello')
    const file = join(dir, 'pulled.zip')
    const pull = await wharf(['charm', 'pull', id, file, ...store])
    expect(pull.code, pull.stderr).toBe(0)
    const metadata = readArchiveFile(new Uint8Array(await readFile(file)), 'metadata.yaml')
    expect(new TextDecoder().decode(metadata)).toContain('name: hello')
  })

  it('maps failures to exit codes: bad id 2, unknown charm 3, bad credentials 4', async () => {
    expect((await wharf(['charm', 'show', 'cs:~bad user/x', ...store])).code).toBe(2)
    const missing = await wharf(['charm', 'show', '~demo/nothing-here', ...store])
    expect(missing.code, missing.stderr).toBe(3)
    const denied = await wharf(
      [
        'charm',
        'push',
        join(dir, 'hello'),
        '~demo/focal/x',
        '-u',
        'admin',
        '--password-stdin',
        ...store,
      ],
      {
        input: 'not-the-password\n',
      },
    )
    expect(denied.code, denied.stderr).toBe(4)
    expect(denied.stderr).not.toContain('not-the-password')
  })
})
