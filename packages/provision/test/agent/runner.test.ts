import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, symlink } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  createTaskRunner,
  expandAction,
  interpretExit,
  PathEscapeError,
  TaskRunnerError,
} from '../../src/agent/index.js'
import { startMock } from '../helpers.js'
import { collector, jobChain, jobLogText, sh, tempDir, world } from './world.js'

/** False once the process is gone or a zombie (PID 1 here may not reap orphans). */
async function running(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
  return stat !== '' && !/^\d+ \(.*\) Z /.test(stat)
}

async function oneTask(task: Parameters<typeof world>[1]['tasks'][string]) {
  const { mock, client } = await startMock()
  const machine = await world(client, {
    tasks: { 'the-task': task },
    stages: { build: { tasks: ['the-task'] } },
    stage: 'build',
  })
  return { mock, client, machine, agentDir: await tempDir() }
}

describe('task runner', () => {
  it('kills a script and its children at the timeout and fails the job', async () => {
    const { mock, client, machine, agentDir } = await oneTask(
      sh('sleep 30 &', 'echo $! > "$RS_RUNNER_DIR/sleeper.pid"', 'wait'),
    )
    const out = collector()
    const runner = await createTaskRunner(client, machine, {
      agentDir,
      scriptTimeout: 300,
      logger: out.logger,
    })
    const started = Date.now()
    const result = await runner!.run()
    expect(Date.now() - started).toBeLessThan(5000)
    expect(result).toMatchObject({ state: 'failed', exitState: 'failed', failed: true })
    expect(mock.object('jobs', runner!.job.Uuid!)).toMatchObject({ State: 'failed' })
    expect(jobLogText(mock, runner!.job.Uuid!)).toContain('killed after 300 ms')
    const pid = Number(await readFile(join(agentDir, 'sleeper.pid'), 'utf8'))
    expect(pid).toBeGreaterThan(1)
    expect(await running(pid)).toBe(false)
    expect(mock.object('machines', machine.Uuid!)?.Runnable).toBe(false)
  })

  it('refuses a template whose path escapes the job directory and fails the job', async () => {
    const { mock, client, machine, agentDir } = await oneTask({
      templates: [
        { Name: 'evil', Path: '../../escaped.txt', Contents: 'owned' },
        { Name: 'after', Contents: sh('touch "$RS_RUNNER_DIR/ran"') },
      ],
    })
    const runner = await createTaskRunner(client, machine, { agentDir })
    await expect(runner!.run()).rejects.toBeInstanceOf(PathEscapeError)
    expect(existsSync(join(dirname(agentDir), 'escaped.txt'))).toBe(false)
    expect(existsSync(join(agentDir, 'ran'))).toBe(false)
    expect(jobChain(mock, machine.Uuid!).map((j) => [j.State, j.ExitState])).toEqual([
      ['failed', 'failed'],
    ])
    expect(jobLogText(mock, runner!.job.Uuid!)).toContain('escapes')
  })

  it('writes templates inside the job directory and scripts run there', async () => {
    const { mock, client, machine, agentDir } = await oneTask({
      templates: [
        { Name: 'conf', Path: 'etc/app.conf', Contents: 'port=80\n' },
        { Name: 'show', Contents: sh('cat etc/app.conf; pwd') },
      ],
    })
    const runner = await createTaskRunner(client, machine, { agentDir })
    expect(await runner!.run()).toMatchObject({ state: 'finished', exitState: 'complete' })
    const log = jobLogText(mock, runner!.job.Uuid!)
    expect(log).toContain('port=80')
    expect(log).toMatch(new RegExp(`${agentDir}/the-task-\\w+`))
    expect(await readdir(agentDir)).toEqual([])
  })

  it('streams large output to the job log in bounded PUTs', async () => {
    const { mock, client, machine, agentDir } = await oneTask(
      sh("head -c 300000 /dev/zero | tr '\\0' a"),
    )
    const from = mock.requests.length
    const runner = await createTaskRunner(client, machine, { agentDir })
    await runner!.run()
    const log = jobLogText(mock, runner!.job.Uuid!)
    expect(log.match(/a+/g)?.reduce((n, s) => Math.max(n, s.length), 0)).toBe(300000)
    const puts = mock.requests
      .slice(from)
      .filter((r) => r.method === 'PUT' && r.path.endsWith('/log'))
      .map((r) => Number(r.headers['content-length']))
    expect(puts.length).toBeGreaterThanOrEqual(4)
    for (const size of puts) expect(size).toBeLessThanOrEqual(128 * 1024)
  })

  it('resumes an incomplete job and uses legacy exit codes without the sane flag', async () => {
    const { mock, client, machine, agentDir } = await oneTask({
      sane: false,
      templates: [
        {
          Name: 'twice',
          Contents: sh(
            '[ -e "$RS_RUNNER_DIR/again" ] && exit 0',
            'touch "$RS_RUNNER_DIR/again"',
            'exit 2',
          ),
        },
      ],
    })
    const first = await createTaskRunner(client, machine, { agentDir })
    expect(await first!.run()).toMatchObject({ state: 'incomplete', exitState: 'complete' })
    await client.patchModel('machines', machine.Uuid!, [
      { op: 'replace', path: '/Runnable', value: true },
    ])
    const second = await createTaskRunner(client, machine, { agentDir })
    expect(second!.job.Uuid).toBe(first!.job.Uuid)
    expect(await second!.run()).toMatchObject({ state: 'finished', exitState: 'complete' })
    expect(jobChain(mock, machine.Uuid!)).toHaveLength(1)
    expect(mock.object('machines', machine.Uuid!)?.Runnable).toBe(true)
    expect(await createTaskRunner(client, machine, { agentDir })).toBeUndefined()
  })

  it('asks for the target OS, runs only its actions, and honours Meta.Interpreter', async () => {
    const { mock, client, machine, agentDir } = await oneTask({
      templates: [
        { Name: 'win', Meta: { OS: 'windows' }, Contents: sh('touch "$RS_RUNNER_DIR/win"') },
        {
          Name: 'lin',
          Meta: { OS: 'linux', Interpreter: '/bin/sh' },
          Contents: 'touch "$RS_RUNNER_DIR/lin"',
        },
      ],
    })
    const from = mock.requests.length
    const runner = await createTaskRunner(client, machine, { agentDir, targetOS: 'linux' })
    expect(await runner!.run()).toMatchObject({ state: 'finished' })
    expect(existsSync(join(agentDir, 'lin'))).toBe(true)
    expect(existsSync(join(agentDir, 'win'))).toBe(false)
    const actions = mock.requests.slice(from).find((r) => r.path.endsWith('/actions'))
    expect(actions?.query).toBe('os=linux')
  })

  it('fails a script that cannot start', async () => {
    const { client, machine, agentDir } = await oneTask({
      templates: [{ Name: 'odd', Contents: 'echo hi', Meta: { Interpreter: '/nonexistent/sh' } }],
    })
    const runner = await createTaskRunner(client, machine, { agentDir })
    expect(await runner!.run()).toMatchObject({ state: 'failed' })
  })
})

describe('expandAction', () => {
  const action = (Path: string) => ({ Name: 't', Path, Content: 'x', Meta: {} })

  it('refuses absolute paths without a chroot and keeps them inside one', async () => {
    const jobDir = await tempDir()
    const chrootDir = await tempDir()
    await expect(expandAction(action('/etc/passwd'), { jobDir })).rejects.toBeInstanceOf(
      PathEscapeError,
    )
    const file = await expandAction(action('/etc/motd'), { jobDir, chrootDir })
    expect(file).toBe(join(chrootDir, 'etc/motd'))
    await expect(expandAction(action('/../../x'), { jobDir, chrootDir })).rejects.toBeInstanceOf(
      PathEscapeError,
    )
  })

  it('refuses symlinked directories and symlinked files', async () => {
    const jobDir = await tempDir()
    const outside = await tempDir()
    await symlink(outside, join(jobDir, 'link'))
    await expect(expandAction(action('link/file'), { jobDir })).rejects.toBeInstanceOf(
      PathEscapeError,
    )
    await mkdir(join(jobDir, 'd'))
    await symlink(join(outside, 'target'), join(jobDir, 'd/file'))
    await expect(expandAction(action('d/file'), { jobDir })).rejects.toBeInstanceOf(TaskRunnerError)
    expect(existsSync(join(outside, 'file'))).toBe(false)
    expect(existsSync(join(outside, 'target'))).toBe(false)
  })
})

describe('interpretExit', () => {
  it('decodes sane and legacy codes', () => {
    expect(interpretExit(0, true)).toEqual({
      failed: false,
      incomplete: false,
      reboot: false,
      poweroff: false,
      stop: false,
    })
    expect(interpretExit(1, true).failed).toBe(true)
    expect(interpretExit(16, true).stop).toBe(true)
    expect(interpretExit(32, true).poweroff).toBe(true)
    expect(interpretExit(192, true)).toMatchObject({
      reboot: true,
      incomplete: true,
      failed: false,
    })
    expect(interpretExit(65, true).failed).toBe(true)
    expect(interpretExit(1, false)).toMatchObject({ reboot: true, failed: false })
    expect(interpretExit(3, false)).toMatchObject({ reboot: true, incomplete: true })
    expect(interpretExit(64, false).failed).toBe(true)
    expect(interpretExit(null, true).failed).toBe(true)
  })
})
