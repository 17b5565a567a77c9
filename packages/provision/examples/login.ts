import { userSession } from '@wharf/provision'
import { createMockProvision } from '@wharf/provision/mock'

// A fake dr-provision on 127.0.0.1 (a real server listens on https://<host>:8092).
const server = await createMockProvision().listen()

// Basic auth once for a 600 s token, refreshed every 300 s in the background.
const client = await userSession(server.url, 'rocketskates', 'r0cketsk8ts')
const info = await client.info()
console.log(`${client.username} on ${info.version} (${info.features?.length} features)`)

client.close() // stops the refresher; later calls fail with ERR_SESSION_CLOSED
await server.close()

export { info }
