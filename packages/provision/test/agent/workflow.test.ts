import { describe, expect, it } from 'vitest'
import { type AgentState, createAgent } from '../../src/agent/index.js'
import { startMock } from '../helpers.js'
import { jobChain, sh, tempDir, world } from './world.js'

/** Resolves when the agent has entered `state` for the `n`th time. */
function stateCounter() {
  const waiters: Array<{ state: AgentState; n: number; resolve: () => void }> = []
  const counts = new Map<AgentState, number>()
  return {
    onState(state: AgentState) {
      counts.set(state, (counts.get(state) ?? 0) + 1)
      for (const w of waiters.filter((w) => w.state === state && w.n === counts.get(state))) {
        w.resolve()
      }
    },
    reached(state: AgentState, n: number): Promise<void> {
      return new Promise((resolve) => waiters.push({ state, n, resolve }))
    },
  }
}

describe('machine agent with a workflow', () => {
  it('runs the expanded task list across stages, waits at its end, and reboots on a bootenv step', async () => {
    const { mock, client } = await startMock()
    const machine = await world(client, {
      tasks: { 'first-task': sh('exit 0'), 'second-task': sh('exit 0') },
      bootenvs: ['rescue-live'],
      stages: {
        first: { tasks: ['first-task'] },
        second: { tasks: ['second-task'] },
        rescue: { bootEnv: 'rescue-live' },
      },
      stage: 'first',
    })
    await client.createModel('workflows', { Name: 'two-stages', Stages: ['first', 'second'] })
    await client.createModel('workflows', { Name: 'to-rescue', Stages: ['rescue'] })
    const uuid = machine.Uuid!
    const joined = await client.patchModel('machines', uuid, [
      { op: 'add', path: '/Workflow', value: 'two-stages' },
    ])
    expect(joined.Tasks).toEqual(['stage:first', 'first-task', 'stage:second', 'second-task'])
    const states = stateCounter()
    const agent = createAgent(client, uuid, {
      agentDir: await tempDir(),
      timeout: 10_000,
      onState: states.onState,
    })
    const running = agent.run()
    // The job engine moves the machine to stage `second` itself; the agent only notices.
    await states.reached('WAIT_FOR_CHANGE_STAGE', 2)
    expect(jobChain(mock, uuid).map((j) => [j.Task, j.State])).toEqual([
      ['first-task', 'finished'],
      ['stage:second', 'finished'],
      ['second-task', 'finished'],
    ])
    expect(mock.object('machines', uuid)).toMatchObject({ Stage: 'second', CurrentTask: 4 })
    // A workflow whose first stage has another bootenv moves the machine there at once
    // (Runnable false): the agent sees the bootenv change and reboots.
    await client.patchModel('machines', uuid, [
      { op: 'replace', path: '/Workflow', value: 'to-rescue' },
    ])
    expect(await running).toBe('REBOOT')
    expect(mock.object('machines', uuid)).toMatchObject({ BootEnv: 'rescue-live', Stage: 'rescue' })
  })
})
