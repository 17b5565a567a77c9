import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { scopeFor } from '@wharf/auth'
import {
  dockerConfigAuth,
  loadDockerConfig,
  resolveAuthConfig,
  saveDockerConfig,
} from '@wharf/auth/docker-config'
import { createHttpClient } from '@wharf/core-http'
import { serve } from '@wharf/core-http/node'

// A registry protected by basic auth.
const expected = `Basic ${btoa('alice:s3cret')}`
const registry = await serve((request: Request) =>
  request.headers.get('authorization') === expected
    ? Response.json({ ok: true })
    : new Response(null, { status: 401, headers: { 'www-authenticate': 'Basic realm="demo"' } }),
)
const host = new URL(registry.url).host

// What `docker login` leaves behind, in a scratch $DOCKER_CONFIG.
const dir = await mkdtemp(join(tmpdir(), 'docker-config-'))
const config = await loadDockerConfig(dir) // {} when there is no file
config.auths = { [host]: { auth: btoa('alice:s3cret') } }
await saveDockerConfig(config, dir) // atomic, mode 0600, unknown keys kept

const found = await resolveAuthConfig(await loadDockerConfig(dir), host)
const client = createHttpClient({ baseUrl: registry.url, auth: dockerConfigAuth({ dir }) })
const answer = await client.json('/v2/acme/app/manifests/1', {
  context: { scopes: [scopeFor('acme/app', 'pull')] },
})

await registry.close()
await rm(dir, { recursive: true })
console.log(found?.username, answer)

export { answer, found }
