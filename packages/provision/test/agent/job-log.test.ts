import { describe, expect, it } from 'vitest'
import { createTaskRunner, JobLogForwarder } from '../../src/agent/index.js'
import { ProvisionError } from '../../src/index.js'
import { startMock } from '../helpers.js'
import { collector, jobLogText, sh, tempDir, world } from './world.js'

describe('job log forwarding', () => {
  it('sends output while the script still runs (at least once a second)', async () => {
    const { mock, client } = await startMock()
    const machine = await world(client, {
      tasks: { 'slow-talker': sh('echo early', 'sleep 2', 'echo late') },
      stages: { build: { tasks: ['slow-talker'] } },
      stage: 'build',
    })
    const runner = await createTaskRunner(client, machine, { agentDir: await tempDir() })
    const done = runner!.run()
    const uuid = runner!.job.Uuid!
    const deadline = Date.now() + 1800
    while (!jobLogText(mock, uuid).includes('early') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50))
    }
    expect(jobLogText(mock, uuid)).toContain('early')
    expect(jobLogText(mock, uuid)).not.toContain('late')
    await done
    expect(jobLogText(mock, uuid)).toContain('late')
  })

  it('stops sending after a failed PUT but keeps logging locally', async () => {
    const { mock, client } = await startMock()
    const out = collector()
    const log = new JobLogForwarder(client, '11111111-2222-3333-4444-555555555555', out.logger)
    const from = mock.requests.length
    await log.write('first\n')
    await log.flush()
    expect(log.error).toBeInstanceOf(ProvisionError)
    await log.write('second\n')
    await log.close()
    expect(mock.requests.slice(from).filter((r) => r.method === 'PUT')).toHaveLength(1)
    expect(out.text).toMatch(/^first\njob log: giving up sending to the server: .*404.*\nsecond\n$/)
  })
})
