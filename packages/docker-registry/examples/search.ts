import { createSession } from '@wharf/docker-registry'
import { createMockDockerRegistry } from '@wharf/docker-registry/mock'

// The mock poses as Docker Hub's index; Hub itself is never contacted here.
const mock = createMockDockerRegistry()
mock.addRepository('library/redis', {
  description: 'An open-source key-value store.',
  starCount: 12000,
})
mock.addRepository('alice/redis-tools', { description: 'Tools for redis', starCount: 3 })
mock.addRepository('bob/cache', { description: 'A cache', starCount: 40 })
const server = await mock.listen()

// `docker search redis --limit 10`, against the Hub index at the mock's address.
const session = createSession('docker.io', {
  hub: { registry: server.url, index: `${server.url}/v1/` },
})
const found = await session.searchRepositories('redis', { limit: 10 })
for (const r of found.results) {
  console.log(
    `${r.name.padEnd(20)} ${String(r.starCount).padStart(6)} ${r.isOfficial ? '[OK]' : ''}`,
  )
}

await server.close()

export { found }
