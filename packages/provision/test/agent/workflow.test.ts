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
  it('waits for a stage change, runs the new tasks, and reboots on a bootenv change', async () => {
    const { mock, client } = await startMock()
    const machine = await world(client, {
      tasks: { 'first-task': sh('exit 0'), 'second-task': sh('exit 0') },
      bootenvs: ['rescue-live'],
      stages: { first: { tasks: ['first-task'] }, second: { tasks: ['second-task'] } },
      stage: 'first',
    })
    await client.createModel('workflows', { Name: 'two-stages', Stages: ['first', 'second'] })
    const uuid = machine.Uuid!
    await client.patchModel('machines', uuid, [
      { op: 'add', path: '/Workflow', value: 'two-stages' },
    ])
    const states = stateCounter()
    const agent = createAgent(client, uuid, {
      agentDir: await tempDir(),
      timeout: 10_000,
      onState: states.onState,
    })
    const running = agent.run()
    await states.reached('WAIT_FOR_CHANGE_STAGE', 1)
    expect(jobChain(mock, uuid).map((j) => j.Task)).toEqual(['first-task'])
    const secondWait = states.reached('WAIT_FOR_CHANGE_STAGE', 2)
    await client.patchModel('machines', uuid, [{ op: 'replace', path: '/Stage', value: 'second' }])
    await secondWait
    expect(jobChain(mock, uuid).map((j) => [j.Task, j.State])).toEqual([
      ['first-task', 'finished'],
      ['second-task', 'finished'],
    ])
    await client.patchModel('machines', uuid, [
      { op: 'replace', path: '/BootEnv', value: 'rescue-live' },
    ])
    expect(await running).toBe('REBOOT')
  })
})
