import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHttpClient } from '@wharf/core-http'
import { type RunningServer, serve } from '@wharf/core-http/node'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  configKey,
  DockerConfigError,
  dockerConfigAuth,
  loadDockerConfig,
  resolveAuthConfig,
  runCredentialHelper,
  saveDockerConfig,
} from '../src/docker-config/index.js'
import { scopeFor } from '../src/index.js'
import { installFakeHelpers } from './fake-helper.js'
import { failure } from './support.js'
import { b64, tokenWorld } from './token-world.js'

let home: string
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'wharf-home-'))
})
afterEach(() => rmSync(home, { recursive: true, force: true }))

describe('loadDockerConfig / saveDockerConfig', () => {
  it('reads $DOCKER_CONFIG/config.json, then ~/.docker/config.json, and is empty without files', async () => {
    mkdirSync(join(home, '.docker'))
    writeFileSync(
      join(home, '.docker/config.json'),
      JSON.stringify({ auths: { a: { auth: 'x' } } }),
    )
    mkdirSync(join(home, 'custom'))
    writeFileSync(join(home, 'custom/config.json'), JSON.stringify({ credsStore: 'desktop' }))
    expect(await loadDockerConfig(undefined, { home, env: {} })).toEqual({
      auths: { a: { auth: 'x' } },
    })
    expect(
      await loadDockerConfig(undefined, { home, env: { DOCKER_CONFIG: join(home, 'custom') } }),
    ).toEqual({
      credsStore: 'desktop',
    })
    expect(await loadDockerConfig(join(home, 'nowhere'), { home })).toEqual({})
  })

  it('falls back to the legacy ~/.dockercfg in both of its formats', async () => {
    writeFileSync(
      join(home, '.dockercfg'),
      JSON.stringify({ 'https://index.docker.io/v1/': { auth: b64('a:b'), email: 'a@x' } }),
    )
    expect(await loadDockerConfig(undefined, { home, env: {} })).toEqual({
      auths: { 'https://index.docker.io/v1/': { auth: b64('a:b'), email: 'a@x' } },
    })
    writeFileSync(join(home, '.dockercfg'), `auth = ${b64('a:b')}\nemail = a@x\n`)
    const config = await loadDockerConfig(undefined, { home, env: {} })
    expect(await resolveAuthConfig(config, 'docker.io')).toEqual({
      serverAddress: 'https://index.docker.io/v1/',
      username: 'a',
      password: 'b',
    })
    writeFileSync(join(home, '.dockercfg'), 'garbage without equals\nsecond line\n')
    await expect(loadDockerConfig(undefined, { home, env: {} })).rejects.toThrow(DockerConfigError)
  })

  it('names the file but never the content of a broken config', async () => {
    writeFileSync(join(home, 'config.json'), '{"auths": {"h": {"auth": "c2VjcmV0LXZhbHVl"}}')
    const error = await failure(loadDockerConfig(home))
    expect(error).toBeInstanceOf(DockerConfigError)
    expect(error.code).toBe('ERR_DOCKER_CONFIG')
    expect(error.message).toContain(join(home, 'config.json'))
    expect(error.message).not.toContain('c2VjcmV0')
    writeFileSync(join(home, 'config.json'), '[1,2]')
    expect((await failure(loadDockerConfig(home))).code).toBe('ERR_DOCKER_CONFIG')
  })

  it('writes atomically with mode 0600, tabs, and keeps unknown keys', async () => {
    const dir = join(home, 'cfg')
    mkdirSync(dir)
    const original = {
      auths: { 'registry.test': { auth: b64('u:p'), email: 'legacy@x' } },
      HttpHeaders: { 'X-Meta': 'yes' },
      proxies: { default: { httpProxy: 'http://proxy' } },
      psFormat: 'table {{.ID}}',
    }
    writeFileSync(join(dir, 'config.json'), JSON.stringify(original), { mode: 0o644 })
    const config = await loadDockerConfig(dir)
    config.auths!['other.test:5000'] = { identitytoken: 'rt-1' }
    await saveDockerConfig(config, dir)
    const text = readFileSync(join(dir, 'config.json'), 'utf8')
    expect(text).toContain('\n\t"auths"')
    expect(JSON.parse(text)).toEqual({
      ...original,
      auths: { ...original.auths, 'other.test:5000': { identitytoken: 'rt-1' } },
    })
    expect(lstatSync(join(dir, 'config.json')).mode & 0o777).toBe(0o600)
    expect(readdirSync(dir)).toEqual(['config.json']) // no temp file left behind
  })

  it('creates the directory with mode 0700 and writes through a symlink', async () => {
    const dir = join(home, 'new/dir')
    await saveDockerConfig({ auths: {} }, dir)
    expect(lstatSync(dir).mode & 0o777).toBe(0o700)
    const real = join(home, 'real.json')
    writeFileSync(real, '{}')
    const linked = join(home, 'linked')
    mkdirSync(linked)
    symlinkSync(real, join(linked, 'config.json'))
    await saveDockerConfig({ credsStore: 'test' }, linked)
    expect(lstatSync(join(linked, 'config.json')).isSymbolicLink()).toBe(true)
    expect(JSON.parse(readFileSync(real, 'utf8'))).toEqual({ credsStore: 'test' })
  })

  it('refuses configs that cannot be written, leaving the old file intact', async () => {
    const dir = join(home, 'keep')
    mkdirSync(dir)
    writeFileSync(join(dir, 'config.json'), '{"old":true}')
    const circular: Record<string, unknown> = {}
    circular.self = circular
    await expect(saveDockerConfig(circular, dir)).rejects.toThrow(DockerConfigError)
    await expect(saveDockerConfig(null as never, dir)).rejects.toThrow(DockerConfigError)
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe('{"old":true}')
    expect(readdirSync(dir)).toEqual(['config.json'])
  })
})

describe('resolveAuthConfig (file entries)', () => {
  const config = {
    auths: {
      'https://index.docker.io/v1/': { auth: b64('hubuser:hub:pass\0\0') },
      'https://registry.test/v1/': { auth: b64('urluser:urlpass') },
      'exact.test:5000': { identitytoken: 'rt-exact' },
      'tok.test': { registrytoken: 'bearer-direct' },
      'plain.test': { username: 'pu', password: 'pp' },
      'empty.test': {},
      'bad.test': { auth: b64('nocolon') },
    },
  }

  it.each([
    [
      'docker.io',
      { serverAddress: 'https://index.docker.io/v1/', username: 'hubuser', password: 'hub:pass' },
    ],
    [
      'index.docker.io',
      { serverAddress: 'https://index.docker.io/v1/', username: 'hubuser', password: 'hub:pass' },
    ],
    [
      'registry-1.docker.io',
      { serverAddress: 'https://index.docker.io/v1/', username: 'hubuser', password: 'hub:pass' },
    ],
    [
      'https://index.docker.io/v1/',
      { serverAddress: 'https://index.docker.io/v1/', username: 'hubuser', password: 'hub:pass' },
    ],
    ['registry.test', { serverAddress: 'registry.test', username: 'urluser', password: 'urlpass' }],
    ['exact.test:5000', { serverAddress: 'exact.test:5000', identityToken: 'rt-exact' }],
    ['tok.test', { serverAddress: 'tok.test', registryToken: 'bearer-direct' }],
    ['plain.test', { serverAddress: 'plain.test', username: 'pu', password: 'pp' }],
    ['empty.test', undefined],
    ['exact.test', undefined],
    ['unknown.test', undefined],
  ])('%s', async (host, expected) => {
    expect(await resolveAuthConfig(config, host)).toEqual(expected)
  })

  it('rejects an auth that is not user:password, without printing it', async () => {
    const error = await failure(resolveAuthConfig(config, 'bad.test'))
    expect(error.code).toBe('ERR_DOCKER_CONFIG')
    expect(error.message).not.toContain(b64('nocolon'))
  })

  it('computes config keys', () => {
    expect(configKey('https://Registry.Test:5000/v2/')).toBe('registry.test:5000')
    expect(configKey('[::1]:5000')).toBe('[::1]:5000')
    expect(configKey('registry-1.docker.io')).toBe('https://index.docker.io/v1/')
  })
})

describe('credential helpers', () => {
  let helpers: ReturnType<typeof installFakeHelpers>
  beforeAll(() => {
    helpers = installFakeHelpers()
  })
  afterAll(() => helpers.restore())
  beforeEach(() => helpers.seed({}))

  it('stores, gets, lists and erases through docker-credential-test', async () => {
    await runCredentialHelper('test', 'store', {
      serverURL: 'registry.test',
      username: 'alice',
      secret: 's3cret',
    })
    expect(helpers.stored()).toEqual({ 'registry.test': { Username: 'alice', Secret: 's3cret' } })
    expect(await runCredentialHelper('test', 'get', 'registry.test')).toEqual({
      serverURL: 'registry.test',
      username: 'alice',
      secret: 's3cret',
    })
    expect(await runCredentialHelper('test', 'list')).toEqual({ 'registry.test': 'alice' })
    await runCredentialHelper('test', 'erase', 'registry.test')
    expect(await runCredentialHelper('test', 'get', 'registry.test')).toBeUndefined()
    expect(helpers.calls().map((c) => c.action)).toEqual(['store', 'get', 'list', 'erase', 'get'])
  })

  it('reports helper errors with their message, and a missing helper by name', async () => {
    const erase = await failure(runCredentialHelper('test', 'erase', 'nothing.test'))
    expect(erase.code).toBe('ERR_CREDENTIAL_HELPER')
    expect(erase.message).toContain('credentials not found in native keychain')
    const store = await failure(
      runCredentialHelper('test', 'store', { serverURL: 'x', username: '', secret: 's' }),
    )
    expect(store.code).toBe('ERR_CREDENTIAL_HELPER')
    const missing = await failure(runCredentialHelper('does-not-exist', 'get', 'x'))
    expect(missing.message).toContain('docker-credential-does-not-exist was not found on PATH')
    const broken = await failure(runCredentialHelper('broken', 'get', 'x'))
    expect(broken.message).toBe('docker-credential-broken get failed (exit 1): keychain is locked')
    const garbage = await failure(runCredentialHelper('garbage', 'get', 'x'))
    expect(garbage.message).not.toContain('s3cr3t')
  })

  it('refuses helper names that could escape PATH lookup', async () => {
    for (const name of ['../evil', '/bin/sh', 'a b', '', '-rf', 'x;rm']) {
      const error = await failure(runCredentialHelper(name, 'get', 'x'))
      expect(error.code).toBe('ERR_CREDENTIAL_HELPER')
    }
  })

  it('kills a helper that hangs or floods stdout', async () => {
    const slow = await failure(runCredentialHelper('slow', 'get', 'x', { timeout: 300 }))
    expect(slow.message).toContain('timed out')
    const chatty = await failure(runCredentialHelper('chatty', 'list'))
    expect(chatty.message).toContain('more than')
  })

  it('resolves credHelpers before credsStore before auths, with <token> as an identity token', async () => {
    helpers.seed({
      'registry.test': { Username: 'alice', Secret: 'from-helper' },
      'https://index.docker.io/v1/': { Username: '<token>', Secret: 'rt-hub' },
    })
    const config = {
      auths: { 'registry.test': {}, 'file.test': { auth: b64('f:p') } },
      credHelpers: { 'registry.test': 'test', 'https://index.docker.io/v1/': 'test' },
    }
    expect(await resolveAuthConfig(config, 'registry.test')).toEqual({
      serverAddress: 'registry.test',
      username: 'alice',
      password: 'from-helper',
    })
    expect(await resolveAuthConfig(config, 'registry-1.docker.io')).toEqual({
      serverAddress: 'https://index.docker.io/v1/',
      identityToken: 'rt-hub',
    })
    expect(await resolveAuthConfig(config, 'file.test')).toEqual({
      serverAddress: 'file.test',
      username: 'f',
      password: 'p',
    })
    // credsStore covers every host without its own helper; "not found" falls back to the file.
    expect(
      await resolveAuthConfig({ ...config, credHelpers: {}, credsStore: 'test' }, 'file.test'),
    ).toEqual({
      serverAddress: 'file.test',
      username: 'f',
      password: 'p',
    })
    expect(helpers.calls()).toEqual([
      { action: 'get', server: 'registry.test' },
      { action: 'get', server: 'https://index.docker.io/v1/' },
      { action: 'get', server: 'file.test' },
    ])
  })
})

describe('dockerConfigAuth', () => {
  let helpers: ReturnType<typeof installFakeHelpers>
  const servers: RunningServer[] = []
  beforeAll(() => {
    helpers = installFakeHelpers()
  })
  afterAll(() => helpers.restore())
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()))
  })

  it('pulls with credentials from a credential helper named in the config', async () => {
    const world = tokenWorld({
      users: { alice: 'from-helper' },
      grants: { alice: { 'acme/app': ['pull'] } },
    })
    const realm = await serve((r) => world.token(r))
    const registry = await serve((r) => world.registry(r))
    servers.push(realm, registry)
    world.realmOrigin = realm.url
    const host = new URL(registry.url).host
    helpers.seed({ [host]: { Username: 'alice', Secret: 'from-helper' } })
    const dir = join(home, 'docker')
    await saveDockerConfig({ auths: { [host]: {} }, credHelpers: { [host]: 'test' } }, dir)

    const client = createHttpClient({
      baseUrl: registry.url,
      auth: dockerConfigAuth({ dir }),
    })
    const scopes = [scopeFor('acme/app', 'pull')]
    expect(await client.json('/v2/acme/app/manifests/1', { context: { scopes } })).toEqual({
      user: 'alice',
    })
    expect(await client.json('/v2/acme/app/manifests/2', { context: { scopes } })).toEqual({
      user: 'alice',
    })
    expect(world.tokenLog.map((t) => t.authorization)).toEqual([
      `Basic ${b64('alice:from-helper')}`,
    ])
    expect(helpers.calls()).toEqual([{ action: 'get', server: host }])
  })

  it('uses an identity token from the config file with the refresh_token grant', async () => {
    const world = tokenWorld({
      refreshTokens: { 'rt-file': 'bob' },
      grants: { bob: { x: ['pull'] } },
    })
    const realm = await serve((r) => world.token(r))
    const registry = await serve((r) => world.registry(r))
    servers.push(realm, registry)
    world.realmOrigin = realm.url
    const config = { auths: { [new URL(registry.url).host]: { identitytoken: 'rt-file' } } }
    const client = createHttpClient({ baseUrl: registry.url, auth: dockerConfigAuth({ config }) })
    expect(
      await client.json('/v2/x/manifests/1', { context: { scopes: [scopeFor('x', 'pull')] } }),
    ).toEqual({ user: 'bob' })
    expect(world.tokenLog[0]!.form?.get('refresh_token')).toBe('rt-file')
  })
})
