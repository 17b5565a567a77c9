import { PatchConflictError, userSession } from '@wharf/provision'
import { createMockProvision } from '@wharf/provision/mock'

const server = await createMockProvision().listen()
const client = await userSession(server.url, 'rocketskates', 'r0cketsk8ts')
const machine = await client.createModel('machines', { Name: 'node1.example.com' })

// Edit a copy and send the generated JSON patch: every changed field is tested first.
const [old, next] = await client.getModelForPatch('machines', machine.Uuid!)
next.Description = 'rack 4'
next.Params = { 'ntp-servers': ['10.0.0.1'] }
const updated = await client.patchTo('machines', old, next)

// A paranoid patch tests the whole old object: it loses against any change made meanwhile.
const stale = { ...old, Runnable: false }
let conflict = ''
try {
  await client.patchToFull('machines', old, stale, true)
} catch (error) {
  if (error instanceof PatchConflictError) conflict = error.messages[0] ?? ''
}
console.log(updated.Description, conflict)

client.close()
await server.close()

export { conflict, updated }
