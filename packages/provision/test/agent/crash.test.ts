import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'
import { createAgent } from '../../src/agent/index.js'
import { onCleanup, startMock } from '../helpers.js'
import { jobChain, jobLogText, sh, tempDir, world } from './world.js'

const agentEntry = fileURLToPath(new URL('../../dist/agent/index.js', import.meta.url))
const mainEntry = fileURLToPath(new URL('../../dist/index.js', import.meta.url))

// A separate Node process running the agent, so that it can be killed for real.
const CHILD = `
const { tokenSession } = await import(process.env.MAIN)
const { createAgent } = await import(process.env.AGENT)
const client = tokenSession(process.env.DRP_URL, process.env.DRP_TOKEN)
await createAgent(client, process.env.MACHINE, { agentDir: process.env.DIR }).run()
`

async function until(check: () => boolean, ms: number): Promise<void> {
  for (const end = Date.now() + ms; !check(); ) {
    if (Date.now() > end) throw new Error(`condition not met in ${ms} ms`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

it('a killed agent process leaves its job running; the next agent fails it and runs the task again', async () => {
  const { mock, url, client } = await startMock()
  const machine = await world(client, {
    tasks: {
      'long-task': sh(
        'if [ -e "$RS_RUNNER_DIR/crashed" ]; then echo "second run"; exit 0; fi',
        'echo $$ > "$RS_RUNNER_DIR/script.pid"',
        'touch "$RS_RUNNER_DIR/crashed"',
        'exec sleep 30',
      ),
    },
    stages: { build: { tasks: ['long-task'] }, done: {} },
    stage: 'build',
    changeStageMap: { build: 'done:Stop' },
  })
  const uuid = machine.Uuid!
  const agentDir = await tempDir()
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
    env: {
      PATH: process.env.PATH ?? '',
      MAIN: mainEntry,
      AGENT: agentEntry,
      DRP_URL: url,
      DRP_TOKEN: client.token,
      MACHINE: uuid,
      DIR: agentDir,
    },
    stdio: 'ignore',
  })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  onCleanup(async () => {
    child.kill('SIGKILL')
    const pid = Number(await readFile(join(agentDir, 'script.pid'), 'utf8').catch(() => 0))
    if (pid > 1) process.kill(pid, 'SIGKILL')
  })
  await until(() => existsSync(join(agentDir, 'crashed')), 15_000)
  child.kill('SIGKILL')
  await exited
  // The orphaned script would run on; end it as a reboot would.
  process.kill(Number(await readFile(join(agentDir, 'script.pid'), 'utf8')), 'SIGKILL')
  const interrupted = jobChain(mock, uuid)
  expect(interrupted.map((j) => [j.Task, j.State])).toEqual([['long-task', 'running']])

  const agent = createAgent(client, uuid, { agentDir, timeout: 10_000 })
  expect(await agent.run()).toBe('EXIT')
  const jobs = jobChain(mock, uuid)
  expect(jobs.map((j) => [j.Task, j.State, j.ExitState])).toEqual([
    ['long-task', 'failed', 'failed'],
    ['long-task', 'finished', 'complete'],
  ])
  expect(jobLogText(mock, jobs[1]!.Uuid)).toContain('second run')
  expect(mock.object('machines', uuid)?.Stage).toBe('done')
})
