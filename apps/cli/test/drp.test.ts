import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, startMock, wharf } from './helpers.js'

describe('wharf drp against `wharf mock drp`', () => {
  let mock: Awaited<ReturnType<typeof startMock>>
  let endpoint: string[]
  let dir: string
  beforeAll(async () => {
    mock = await startMock('drp')
    endpoint = ['--endpoint', mock.urls.drp!]
    dir = await mkdtemp(join(tmpdir(), 'wharf-cli-drp-'))
  })
  afterAll(async () => {
    mock?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('shows server info', async () => {
    const r = await wharf(['--json', 'drp', 'info', ...endpoint])
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout).version).toBeTruthy()
  })

  it('creates from YAML and stdin, lists with a filter, shows, updates and deletes', async () => {
    await writeFile(join(dir, 'm1.yaml'), 'Name: alpha.example.com\nDescription: first\n')
    expect(
      (await wharf(['drp', 'create', 'machines', join(dir, 'm1.yaml'), ...endpoint])).code,
    ).toBe(0)
    const fromStdin = await wharf(['drp', 'create', 'machine', ...endpoint], {
      input: '{"Name": "bravo.example.com"}',
    })
    expect(fromStdin.code, fromStdin.stderr).toBe(0)
    const all = await wharf(['--json', 'drp', 'list', 'machines', ...endpoint])
    expect(
      JSON.parse(all.stdout)
        .map((m: any) => m.Name)
        .sort(),
    ).toEqual(['alpha.example.com', 'bravo.example.com'])
    const filtered = await wharf([
      'drp',
      'list',
      'machines',
      '--filter',
      'Name',
      'Eq',
      'bravo.example.com',
      ...endpoint,
    ])
    expect(filtered.stdout.trim()).toBe('bravo.example.com')
    const shown = await wharf([
      '--json',
      'drp',
      'show',
      'machines',
      'Name:alpha.example.com',
      ...endpoint,
    ])
    expect(JSON.parse(shown.stdout).Description).toBe('first')
    await writeFile(join(dir, 'patch.yaml'), 'Description: rack 4\n')
    const updated = await wharf([
      '--json',
      'drp',
      'update',
      'machines',
      'Name:alpha.example.com',
      join(dir, 'patch.yaml'),
      '--paranoid',
      ...endpoint,
    ])
    expect(updated.code, updated.stderr).toBe(0)
    expect(JSON.parse(updated.stdout).Description).toBe('rack 4')
    expect(
      (await wharf(['drp', 'delete', 'machines', 'Name:bravo.example.com', ...endpoint])).code,
    ).toBe(0)
    const gone = await wharf(['drp', 'show', 'machines', 'Name:bravo.example.com', ...endpoint])
    expect(gone.code).toBe(3)
  })

  it('streams events until the count is reached', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'drp', 'events', 'profiles.create.*', '--count', '1', ...endpoint],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve))
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (err += d))
    const deadline = Date.now() + 20_000
    while (!err.includes('listening') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100))
    expect(err).toContain('listening')
    const created = await wharf(['drp', 'create', 'profiles', ...endpoint], {
      input: 'Name: rack-4\n',
    })
    expect(created.code, created.stderr).toBe(0)
    const timer = setTimeout(() => child.kill(), 20_000)
    const code = await closed
    clearTimeout(timer)
    expect(code, err).toBe(0)
    expect(JSON.parse(out.trim()).Key).toBe('rack-4')
  })

  it('uploads a file and manages content bundles', async () => {
    await writeFile(join(dir, 'hello.sh'), '#!/bin/sh\necho hi\n')
    const up = await wharf([
      'drp',
      'upload',
      'file',
      join(dir, 'hello.sh'),
      'tools/hello.sh',
      ...endpoint,
    ])
    expect(up.code, up.stderr).toBe(0)
    await writeFile(
      join(dir, 'content.yaml'),
      'meta:\n  Name: demo-content\n  Version: v1\nsections:\n  profiles:\n    demo-profile:\n      Name: demo-profile\n',
    )
    const created = await wharf([
      'drp',
      'contents',
      'upload',
      join(dir, 'content.yaml'),
      ...endpoint,
    ])
    expect(created.code, created.stderr).toBe(0)
    const list = await wharf(['drp', 'contents', 'list', ...endpoint])
    expect(list.stdout).toContain('demo-content')
    expect((await wharf(['drp', 'contents', 'rm', 'demo-content', ...endpoint])).code).toBe(0)
  })

  it('runs the machine agent: the tasks run as scripts and the machine reaches its next stage', async () => {
    const sane = 'Meta:\n  feature-flags: sane-exit-codes\n'
    await wharf(['drp', 'create', 'tasks', ...endpoint], {
      input: `Name: greet\n${sane}Templates:\n  - Name: run\n    Contents: |\n      #!/bin/sh\n      echo "hello from $RS_TASK"\n`,
    })
    await wharf(['drp', 'create', 'stages', ...endpoint], {
      input: 'Name: setup\nTasks: [greet]\n',
    })
    await wharf(['drp', 'create', 'stages', ...endpoint], { input: 'Name: ready\n' })
    const made = await wharf(['drp', 'create', 'machines', ...endpoint], {
      input:
        'Name: agent.example.com\nStage: setup\nParams:\n  change-stage/map:\n    setup: ready:Stop\n',
    })
    expect(made.code, made.stderr).toBe(0)
    const run = await wharf([
      'drp',
      'agent',
      'Name:agent.example.com',
      '--exit-on-failure',
      '--timeout',
      '20000',
      ...endpoint,
    ])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toContain('hello from greet')
    expect(run.stdout).toContain('agent ended: EXIT')
    const machine = await wharf([
      '--json',
      'drp',
      'show',
      'machines',
      'Name:agent.example.com',
      ...endpoint,
    ])
    expect(JSON.parse(machine.stdout).Stage).toBe('ready')
  })

  it('maps failures: unknown type 2, bad password 4 without echoing it', async () => {
    expect((await wharf(['drp', 'list', 'gadgets', ...endpoint])).code).toBe(2)
    const denied = await wharf(['drp', 'info', '--password-stdin', ...endpoint], {
      input: 'bad-password-77\n',
    })
    expect(denied.code, denied.stderr).toBe(4)
    expect(denied.stderr).not.toContain('bad-password-77')
  })
})
