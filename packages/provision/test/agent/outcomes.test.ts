import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { AgentError, type AgentState, createAgent, PathEscapeError } from '../../src/agent/index.js'
import { startMock } from '../helpers.js'
import { collector, idleMachine, jobChain, sh, tempDir, world } from './world.js'

describe('agent outcomes', () => {
  it.each([
    [32, 'POWEROFF', 'finished', 'poweroff'],
    [16, 'EXIT', 'finished', 'stop'],
    [192, 'REBOOT', 'finished', 'reboot'],
  ])('a final action exiting %i ends in %s', async (code, end, state, exitState) => {
    const { mock, client } = await startMock()
    const machine = await world(client, {
      tasks: { 'power-task': sh(`exit ${code}`) },
      stages: { build: { tasks: ['power-task'] } },
      stage: 'build',
    })
    const power = vi.fn(async () => {})
    const out = collector()
    const agent = createAgent(client, machine, {
      agentDir: await tempDir(),
      timeout: 10_000,
      power,
      logger: out.logger,
    })
    expect(await agent.run()).toBe(end)
    expect(power).not.toHaveBeenCalled()
    if (end === 'POWEROFF') expect(out.text).toContain('would poweroff now')
    expect(jobChain(mock, machine.Uuid!).map((j) => [j.State, j.ExitState])).toEqual([
      [state, exitState],
    ])
  })

  it('a reboot asked by a non-final action leaves the job incomplete', async () => {
    const { mock, client } = await startMock()
    const machine = await world(client, {
      tasks: {
        'two-steps': {
          templates: [
            { Name: 'first', Contents: sh('exit 64') },
            { Name: 'second', Contents: sh('touch "$RS_RUNNER_DIR/second"') },
          ],
        },
      },
      stages: { build: { tasks: ['two-steps'] } },
      stage: 'build',
    })
    const agentDir = await tempDir()
    const agent = createAgent(client, machine, { agentDir, timeout: 10_000 })
    expect(await agent.run()).toBe('REBOOT')
    expect(jobChain(mock, machine.Uuid!).map((j) => [j.State, j.ExitState])).toEqual([
      ['incomplete', 'reboot'],
    ])
    expect(existsSync(join(agentDir, 'second'))).toBe(false)
  })

  it('a next stage with Reboot set reboots', async () => {
    const { mock, client } = await startMock()
    const machine = await world(client, {
      tasks: { 'only-task': sh('exit 0') },
      stages: { first: { tasks: ['only-task'] }, second: { reboot: true } },
      stage: 'first',
      changeStageMap: { first: 'second' },
    })
    const agent = createAgent(client, machine, { agentDir: await tempDir(), timeout: 10_000 })
    expect(await agent.run()).toBe('REBOOT')
    expect(mock.object('machines', machine.Uuid!)?.Stage).toBe('second')
  })

  it('stop() kills the running script, fails its job and exits', async () => {
    const { mock, client } = await startMock()
    const machine = await world(client, {
      tasks: { 'long-task': sh('sleep 30') },
      stages: { build: { tasks: ['long-task'] } },
      stage: 'build',
    })
    let runTask: () => void = () => {}
    const inTask = new Promise<void>((resolve) => {
      runTask = resolve
    })
    const agent = createAgent(client, machine, {
      agentDir: await tempDir(),
      timeout: 10_000,
      onState: (s: AgentState) => s === 'RUN_TASK' && runTask(),
    })
    const running = agent.run()
    await inTask
    await new Promise((r) => setTimeout(r, 300))
    const started = Date.now()
    agent.stop()
    expect(await running).toBe('EXIT')
    expect(Date.now() - started).toBeLessThan(3000)
    expect(jobChain(mock, machine.Uuid!).map((j) => j.State)).toEqual(['failed'])
  })

  it('a path escape with exitOnFailure makes run() reject', async () => {
    const { client } = await startMock()
    const machine = await world(client, {
      tasks: { 'bad-path': { templates: [{ Name: 'x', Path: '../x', Contents: '' }] } },
      stages: { build: { tasks: ['bad-path'] } },
      stage: 'build',
    })
    const agent = createAgent(client, machine, {
      agentDir: await tempDir(),
      timeout: 10_000,
      exitOnFailure: true,
    })
    await expect(agent.run()).rejects.toBeInstanceOf(PathEscapeError)
    expect(agent.state).toBe('EXIT')
  })

  it('gives up after maxTransitions and refuses a second concurrent run()', async () => {
    const { client } = await startMock()
    const machine = await idleMachine(client)
    const agent = createAgent(client, machine, {
      agentDir: await tempDir(),
      timeout: 100,
      maxTransitions: 3,
    })
    const running = agent.run()
    await expect(agent.run()).rejects.toThrow('already running')
    const error = await running.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AgentError)
    expect((error as AgentError).message).toContain('gave up after 3 state changes')
    expect(agent.state).toBe('EXIT')
  })

  it('names the bad option', async () => {
    const { client } = await startMock()
    const agentDir = await tempDir()
    expect(() => createAgent(client, 'x', { agentDir: '' })).toThrow('agentDir must be')
    expect(() => createAgent(client, '', { agentDir })).toThrow(AgentError)
    expect(() => createAgent(client, 'x', { agentDir, timeout: -1 })).toThrow('timeout must be')
    expect(() => createAgent(client, 'x', { agentDir, scriptTimeout: Number.NaN })).toThrow(
      'scriptTimeout must be',
    )
  })
})
