import { equalItem, userSession } from '@wharf/provision'
import { createMockProvision } from '@wharf/provision/mock'

const server = await createMockProvision().listen()
const client = await userSession(server.url, 'rocketskates', 'r0cketsk8ts')
const machine = await client.createModel('machines', { Name: 'node2.example.com' })

const events = await client.events() // the websocket stream of /api/v3/ws
const creates = await events.register('profiles.create.*')

// Wait (at most 10 s) until the machine is no longer runnable; someone else changes it.
const waiting = events.waitFor('machines', machine.Uuid!, equalItem('Runnable', false), {
  timeout: 10_000,
})
await client.patchModel('machines', machine.Uuid!, [
  { op: 'replace', path: '/Runnable', value: false },
])
const result = await waiting

await client.createModel('profiles', { Name: 'rack-4' })
const created = await creates.next()
console.log(result.status, created?.Key)

await events.close()
client.close()
await server.close()

export { created, result }
