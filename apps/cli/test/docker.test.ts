import { createHash } from 'node:crypto'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSession, DockerMediaType } from '@wharf/docker-registry'
import { createMockDockerRegistry } from '@wharf/docker-registry/mock'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { wharf } from './helpers.js'

const USER = { username: 'alice', password: 's3cret-pw' }

describe('wharf docker against the mock posing as Docker Hub', () => {
  let server: { url: string; close(): Promise<void> }
  let env: Record<string, string>
  let digest: string
  beforeAll(async () => {
    const mock = createMockDockerRegistry({ hub: true, auth: { type: 'token', ...USER } })
    mock.addRepository('library/redis', {
      description: 'An open-source key-value store.',
      starCount: 12000,
    })
    mock.addRepository('bob/cache', { description: 'A cache', starCount: 40 })
    server = await mock.listen()
    env = {
      WHARF_DOCKER_HUB_URL: server.url,
      DOCKER_CONFIG: await mkdtemp(join(tmpdir(), 'wharf-cli-docker-')),
    }
    const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`
    const config = new TextEncoder().encode('{"architecture":"amd64","os":"linux"}')
    const layer = new TextEncoder().encode('layer bytes')
    const pusher = createSession(server.url, { authConfig: USER })
    await pusher.putV2ImageBlob('library/ubuntu', config)
    await pusher.putV2ImageBlob('library/ubuntu', layer)
    const pushed = await pusher.putV2ImageManifest(
      'library/ubuntu',
      '22.04',
      {
        schemaVersion: 2,
        mediaType: DockerMediaType.ManifestV2,
        config: {
          mediaType: DockerMediaType.ImageConfig,
          size: config.byteLength,
          digest: sha256(config),
        },
        layers: [
          { mediaType: DockerMediaType.Layer, size: layer.byteLength, digest: sha256(layer) },
        ],
      },
      { mediaType: DockerMediaType.ManifestV2 },
    )
    digest = pushed.digest
  })
  afterAll(async () => server?.close())

  it('refuses a wrong password with exit 4 and never echoes it', async () => {
    const r = await wharf(['docker', 'login', '-u', USER.username, '--password-stdin'], {
      input: 'wrong-pw-9\n',
      env,
    })
    expect(r.code, r.stderr).toBe(4)
    expect(r.stderr + r.stdout).not.toContain('wrong-pw-9')
  })

  it('logs in to Hub and stores an identity token, not the password', async () => {
    const r = await wharf(['docker', 'login', '-u', USER.username, '--password-stdin'], {
      input: `${USER.password}\n`,
      env,
    })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout.trim()).toBe('Login Succeeded')
    const config = await readFile(join(env.DOCKER_CONFIG!, 'config.json'), 'utf8')
    expect(JSON.parse(config).auths['https://index.docker.io/v1/']).toBeDefined()
    expect(config).not.toContain(USER.password)
  })

  it('searches, lists tags and inspects with familiar names', async () => {
    const search = await wharf(['--json', 'docker', 'search', 'redis', '--limit', '10'], { env })
    expect(search.code, search.stderr).toBe(0)
    expect(JSON.parse(search.stdout).map((r: { name: string }) => r.name)).toContain('redis')
    const tags = await wharf(['--json', 'docker', 'tags', 'ubuntu'], { env })
    expect(tags.code, tags.stderr).toBe(0)
    expect(JSON.parse(tags.stdout)).toEqual(['22.04'])
    const inspect = await wharf(['--json', 'docker', 'inspect', 'ubuntu:22.04'], { env })
    expect(inspect.code, inspect.stderr).toBe(0)
    const shown = JSON.parse(inspect.stdout)
    expect(shown.name).toBe('ubuntu:22.04')
    expect(shown.descriptor.digest).toBe(digest)
  })

  it('rejects a bad name with exit 2 and a missing image with exit 3', async () => {
    expect((await wharf(['docker', 'tags', 'Ubuntu'], { env })).code).toBe(2)
    expect((await wharf(['docker', 'inspect', 'ubuntu:99.99'], { env })).code).toBe(3)
  })

  it('logs out', async () => {
    const r = await wharf(['docker', 'logout'], { env })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('Removing login credentials')
    const config = JSON.parse(await readFile(join(env.DOCKER_CONFIG!, 'config.json'), 'utf8'))
    expect(config.auths['https://index.docker.io/v1/']).toBeUndefined()
    expect((await wharf(['docker', 'logout'], { env })).stdout).toContain('Not logged in')
  })
})
