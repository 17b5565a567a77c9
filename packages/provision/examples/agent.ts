import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { userSession } from '@wharf/provision'
import { createAgent } from '@wharf/provision/agent'
import { createMockProvision } from '@wharf/provision/mock'

const server = await createMockProvision().listen()
const client = await userSession(server.url, 'rocketskates', 'r0cketsk8ts')

// A stage with two tasks; each task is a script template. When the stage is done the
// change-stage map moves the machine to `ready` and stops the agent.
const sane = { 'feature-flags': 'sane-exit-codes' }
for (const [name, script] of [
  ['say-hello', 'echo "hello from $RS_TASK on $RS_UUID"'],
  ['write-motd', 'echo "provisioned" > motd && cat motd'],
]) {
  await client.createModel('tasks', {
    Name: name,
    Meta: sane,
    Templates: [{ Name: 'run', Contents: `#!/bin/sh\n${script}\n` }],
  })
}
await client.createModel('stages', { Name: 'setup', Tasks: ['say-hello', 'write-motd'] })
await client.createModel('stages', { Name: 'ready' })
const machine = await client.createModel('machines', {
  Name: 'node3.example.com',
  Stage: 'setup',
  Params: { 'change-stage/map': { setup: 'ready:Stop' } },
})

// Each job runs in its own directory under agentDir, with a scrubbed environment.
const agentDir = await mkdtemp(join(tmpdir(), 'drp-agent-'))
let output = ''
const agent = createAgent(client, machine, {
  agentDir,
  exitOnFailure: true,
  timeout: 60_000, // longest wait for the machine to change (default 1 h)
  scriptTimeout: 30_000, // longest run of one script (default 1 h)
  logger: (text) => {
    output += text
  },
})
const end = await agent.run() // 'EXIT', 'REBOOT' or 'POWEROFF' (nothing is powered by default)
const stage = (await client.getModel('machines', machine.Uuid!)).Stage
console.log(end, stage)

await rm(agentDir, { recursive: true, force: true })
client.close()
await server.close()

export { end, output, stage }
