import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { type AgentState, createAgent } from '../../src/agent/index.js'
import { equalItem } from '../../src/index.js'
import { onCleanup, startMock } from '../helpers.js'
import { collector, idleMachine, jobChain, jobLogText, sh, tempDir, world } from './world.js'

const record = (line: string) => sh(`echo "$RS_TASK" >> "$RS_RUNNER_DIR/order"`, line)

describe('machine agent', () => {
  it('runs three tasks in order, follows the change-stage map and ends in the right stage', async () => {
    const { mock, client } = await startMock()
    const agentDir = await tempDir()
    process.env.WHARF_AGENT_TEST_SECRET = 'do-not-leak'
    onCleanup(() => delete process.env.WHARF_AGENT_TEST_SECRET)
    const machine = await world(client, {
      tasks: {
        'step-one': record('env > "$RS_RUNNER_DIR/env"; echo "hello from $RS_TASK"'),
        'step-two': record('echo "hello from $RS_TASK" >&2'),
        'step-three': record('echo "hello from $RS_TASK"'),
      },
      stages: { build: { tasks: ['step-one', 'step-two', 'step-three'] }, done: {} },
      stage: 'build',
      changeStageMap: { build: 'done:Stop' },
    })
    const states: AgentState[] = []
    const out = collector()
    const agent = createAgent(client, machine.Uuid!, {
      agentDir,
      exitOnFailure: true,
      timeout: 10_000,
      logger: out.logger,
      onState: (s) => states.push(s),
    })
    expect(await agent.run()).toBe('EXIT')

    expect(await readFile(join(agentDir, 'order'), 'utf8')).toBe('step-one\nstep-two\nstep-three\n')
    const jobs = jobChain(mock, machine.Uuid!)
    expect(jobs.map((j) => [j.Task, j.State, j.ExitState])).toEqual([
      ['step-one', 'finished', 'complete'],
      ['step-two', 'finished', 'complete'],
      ['step-three', 'finished', 'complete'],
    ])
    expect(jobLogText(mock, jobs[1]!.Uuid)).toContain('hello from step-two')
    expect(jobLogText(mock, jobs[1]!.Uuid)).toContain(
      'Starting task :build:step-two on node1.example.com',
    )
    expect(out.text).toContain('hello from step-three')
    expect(mock.object('machines', machine.Uuid!)).toMatchObject({
      Stage: 'done',
      Tasks: [],
      CurrentTask: -1,
    })
    expect(states).toEqual([
      'WAIT_FOR_RUNNABLE',
      ...Array(3).fill(['RUN_TASK', 'WAIT_FOR_RUNNABLE']).flat(),
      'RUN_TASK',
      'CHANGE_STAGE',
      'EXIT',
    ])
    // Scripts see a scrubbed environment plus the job's variables, never the session token.
    const env = await readFile(join(agentDir, 'env'), 'utf8')
    expect(env).toContain(`RS_JOB_UUID=${jobs[0]!.Uuid}`)
    expect(env).toContain(`RS_UUID=${machine.Uuid}`)
    expect(env).not.toContain('do-not-leak')
    expect(env).not.toContain(client.token)
  })

  it('stops at a failing task when exitOnFailure is set', async () => {
    const { mock, client } = await startMock()
    const machine = await world(client, {
      tasks: { 'always-fails': sh('echo boom >&2', 'exit 1'), 'never-runs': sh('exit 0') },
      stages: { build: { tasks: ['always-fails', 'never-runs'] } },
      stage: 'build',
    })
    const agent = createAgent(client, machine, {
      agentDir: await tempDir(),
      exitOnFailure: true,
      timeout: 10_000,
    })
    expect(await agent.run()).toBe('EXIT')
    const jobs = jobChain(mock, machine.Uuid!)
    expect(jobs.map((j) => [j.Task, j.State, j.ExitState])).toEqual([
      ['always-fails', 'failed', 'failed'],
    ])
    expect(jobLogText(mock, jobs[0]!.Uuid)).toContain('boom')
    expect(mock.object('machines', machine.Uuid!)?.Runnable).toBe(false)
  })

  it('waits after a failing task without exitOnFailure and retries it once runnable again', async () => {
    const { mock, client } = await startMock()
    const machine = await world(client, {
      tasks: {
        'flaky-task': sh(
          'if [ -e "$RS_RUNNER_DIR/tried" ]; then exit 0; fi',
          'touch "$RS_RUNNER_DIR/tried"',
          'exit 1',
        ),
        'next-task': sh('exit 0'),
      },
      stages: { build: { tasks: ['flaky-task', 'next-task'] }, done: {} },
      stage: 'build',
      changeStageMap: { build: 'done:Stop' },
    })
    const events = await client.events()
    onCleanup(() => events.close())
    const stopped = events.waitFor('machines', machine.Uuid!, equalItem('Runnable', false), {
      timeout: 10_000,
    })
    const agent = createAgent(client, machine, { agentDir: await tempDir(), timeout: 10_000 })
    const running = agent.run()
    expect((await stopped).status).toBe('complete')
    expect(jobChain(mock, machine.Uuid!).map((j) => j.State)).toEqual(['failed'])
    await client.patchModel('machines', machine.Uuid!, [
      { op: 'replace', path: '/Runnable', value: true },
    ])
    expect(await running).toBe('EXIT')
    expect(jobChain(mock, machine.Uuid!).map((j) => [j.Task, j.State])).toEqual([
      ['flaky-task', 'failed'],
      ['flaky-task', 'finished'],
      ['next-task', 'finished'],
    ])
  })

  it('goes to REBOOT when a task asks for it, without powering anything', async () => {
    const { mock, client } = await startMock()
    const machine = await world(client, {
      tasks: { 'needs-reboot': sh('echo rebooting', 'exit 64'), 'after-boot': sh('exit 0') },
      stages: { build: { tasks: ['needs-reboot', 'after-boot'] } },
      stage: 'build',
    })
    const power = vi.fn(async () => {})
    const out = collector()
    const agent = createAgent(client, machine, {
      agentDir: await tempDir(),
      timeout: 10_000,
      logger: out.logger,
      power,
    })
    expect(await agent.run()).toBe('REBOOT')
    expect(agent.state).toBe('REBOOT')
    expect(power).not.toHaveBeenCalled()
    expect(out.text).toContain('would reboot now')
    expect(jobChain(mock, machine.Uuid!).map((j) => [j.Task, j.State, j.ExitState])).toEqual([
      ['needs-reboot', 'finished', 'reboot'],
    ])
    expect(mock.object('machines', machine.Uuid!)?.Runnable).toBe(false)
  })

  it.each([
    ['ubuntu-install', 'EXIT'],
    ['rescue-live', 'REBOOT'],
  ])('changes to a stage with another bootenv from %s and ends in %s', async (from, end) => {
    const { mock, client } = await startMock()
    const machine = await world(client, {
      tasks: { 'install-os': sh('echo installed') },
      bootenvs: [from],
      stages: { install: { tasks: ['install-os'], bootEnv: from }, complete: { bootEnv: 'local' } },
      stage: 'install',
      changeStageMap: { install: 'complete' },
    })
    expect(machine.BootEnv).toBe(from)
    const agent = createAgent(client, machine, { agentDir: await tempDir(), timeout: 10_000 })
    expect(await agent.run()).toBe(end)
    expect(mock.object('machines', machine.Uuid!)).toMatchObject({
      Stage: 'complete',
      BootEnv: 'local',
      Runnable: false,
    })
    expect(jobChain(mock, machine.Uuid!).map((j) => [j.Task, j.State])).toEqual([
      ['install-os', 'finished'],
    ])
  })

  it('pauses while the machine is not runnable and resumes on the event, without polling', async () => {
    const { mock, client } = await startMock()
    const machine = await world(client, {
      tasks: { 'first-task': sh('sleep 1'), 'second-task': sh('exit 0') },
      stages: { build: { tasks: ['first-task', 'second-task'] }, done: {} },
      stage: 'build',
      changeStageMap: { build: 'done:Stop' },
      meta: { 'feature-flags': 'change-stage-v2' },
    })
    const events = await client.events()
    onCleanup(() => events.close())
    const uuid = machine.Uuid!
    const jobCreated = events.waitFor(
      'machines',
      uuid,
      (m) => !!(m as { CurrentJob?: string }).CurrentJob,
      {
        timeout: 10_000,
      },
    )
    const agent = createAgent(client, machine, { agentDir: await tempDir(), timeout: 30_000 })
    const running = agent.run()
    expect((await jobCreated).status).toBe('complete')
    await client.patchModel('machines', uuid, [{ op: 'replace', path: '/Runnable', value: false }])
    const first = jobChain(mock, uuid)[0]!
    const finished = await events.waitFor('jobs', first.Uuid, equalItem('State', 'finished'), {
      timeout: 10_000,
    })
    expect(finished.status).toBe('complete')
    const from = mock.requests.length
    await new Promise((r) => setTimeout(r, 700))
    expect(agent.state).toBe('WAIT_FOR_RUNNABLE')
    expect(jobChain(mock, uuid).map((j) => j.Task)).toEqual(['first-task'])
    const machineReads = mock.requests
      .slice(from)
      .filter((r) => r.method === 'GET' && r.path === `/api/v3/machines/${uuid}`)
    expect(machineReads.length).toBeLessThanOrEqual(1)

    await client.patchModel('machines', uuid, [{ op: 'replace', path: '/Runnable', value: true }])
    expect(await running).toBe('EXIT')
    expect(jobChain(mock, uuid).map((j) => [j.Task, j.State])).toEqual([
      ['first-task', 'finished'],
      ['second-task', 'finished'],
    ])
  })

  it('marks the job an interrupted agent left running as failed on restart, then runs it again', async () => {
    const { mock, client } = await startMock()
    const machine = await world(client, {
      tasks: { 'resume-task': sh('echo second try') },
      stages: { build: { tasks: ['resume-task'] }, done: {} },
      stage: 'build',
      changeStageMap: { build: 'done:Stop' },
    })
    // What a crashed agent leaves behind: the job it was running.
    const crashed = await client.createJob(machine.Uuid!)
    await client.patchModel('jobs', crashed!.Uuid!, [
      { op: 'replace', path: '/State', value: 'running' },
    ])
    const agent = createAgent(client, machine.Uuid!, { agentDir: await tempDir(), timeout: 10_000 })
    expect(await agent.run()).toBe('EXIT')
    expect(mock.object('jobs', crashed!.Uuid!)).toMatchObject({
      State: 'failed',
      ExitState: 'failed',
    })
    const jobs = jobChain(mock, machine.Uuid!)
    expect(jobs.map((j) => [j.Task, j.State])).toEqual([
      ['resume-task', 'failed'],
      ['resume-task', 'finished'],
    ])
    expect(jobs[1]!.Previous).toBe(crashed!.Uuid)
  })

  it('exits on a wait timeout with exitOnNotRunnable, and stop() ends a wait', async () => {
    const { client } = await startMock()
    const machine = await idleMachine(client)
    const agentDir = await tempDir()
    const timedOut = createAgent(client, machine, {
      agentDir,
      timeout: 200,
      exitOnNotRunnable: true,
    })
    expect(await timedOut.run()).toBe('EXIT')

    const stopped = createAgent(client, machine, { agentDir, timeout: 60_000 })
    const running = stopped.run()
    await vi.waitFor(() => expect(stopped.state).toBe('WAIT_FOR_RUNNABLE'))
    const started = Date.now()
    stopped.stop()
    expect(await running).toBe('EXIT')
    expect(Date.now() - started).toBeLessThan(2000)
  })
})
