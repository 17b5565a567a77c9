import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createEndpoint, createSession, INDEX_SERVER, login } from '../../src/index.js'
import {
  loadAuthConfig,
  loadConfig,
  removeLogin,
  resolveAuthConfig,
  saveConfig,
  saveLogin,
} from '../../src/node/index.js'
import { type Backend, startMock } from '../backends.js'

/** A fake `docker-credential-wharf-test`: the helper protocol over a JSON file. */
const HELPER = `#!/usr/bin/env node
const fs = require('node:fs')
const file = process.env.WHARF_FAKE_STORE
const action = process.argv[2]
const read = () => (fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {})
let input = ''
process.stdin.on('data', (c) => (input += c))
process.stdin.on('end', () => {
  const store = read()
  if (action === 'store') {
    const c = JSON.parse(input)
    if (!c.ServerURL) { process.stdout.write('no credentials server URL'); process.exit(1) }
    if (!c.Username) { process.stdout.write('no credentials username'); process.exit(1) }
    store[c.ServerURL] = { Username: c.Username, Secret: c.Secret }
    fs.writeFileSync(file, JSON.stringify(store))
  } else if (action === 'get') {
    const url = input.trim()
    const found = store[url]
    if (!found) { process.stdout.write('credentials not found in native keychain'); process.exit(1) }
    process.stdout.write(JSON.stringify({ ServerURL: url, Username: found.Username, Secret: found.Secret }) + '\\n')
  } else if (action === 'erase') {
    delete store[input.trim()]
    fs.writeFileSync(file, JSON.stringify(store))
  } else if (action === 'list') {
    process.stdout.write(JSON.stringify(Object.fromEntries(Object.entries(store).map(([k, v]) => [k, v.Username]))) + '\\n')
  } else {
    process.stdout.write('docker-credential-wharf-test: unknown action: ' + action)
    process.exit(1)
  }
})
`

const USER = { username: 'alice', password: 's3cret' }

describe('docker config and credential helpers (fake docker-credential-wharf-test on PATH)', () => {
  let root: string
  let env: Record<string, string | undefined>
  let backend: Backend
  let dir: string
  const store = () => JSON.parse(readFileSync(join(root, 'store.json'), 'utf8'))

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'wharf-docker-creds-'))
    const bin = join(root, 'bin')
    mkdirSync(bin)
    writeFileSync(join(bin, 'docker-credential-wharf-test'), HELPER)
    chmodSync(join(bin, 'docker-credential-wharf-test'), 0o755)
    // The helper is on PATH for this test's processes only, through the env passed to helpers.
    env = {
      ...process.env,
      PATH: `${bin}${delimiter}${process.env.PATH}`,
      WHARF_FAKE_STORE: join(root, 'store.json'),
    }
  })
  afterAll(() => rmSync(root, { recursive: true, force: true }))
  afterEach(async () => {
    await backend?.close()
    rmSync(join(root, 'store.json'), { force: true })
  })

  const freshDir = (config?: object) => {
    dir = mkdtempSync(join(root, 'config-'))
    if (config) writeFileSync(join(dir, 'config.json'), JSON.stringify(config))
    return dir
  }

  it('stores an identity token in the helper, keeps {} in auths and other keys, and reads it back', async () => {
    backend = await startMock('http', { auth: { type: 'token', ...USER } })
    freshDir({ credsStore: 'wharf-test', psFormat: 'table {{.ID}}' })
    const result = await login({ ...USER, serverAddress: backend.url })
    const saved = await saveLogin(result, USER, { dir, env })
    const key = new URL(backend.url).host
    expect(saved).toMatchObject({ key, store: 'helper', helper: 'wharf-test' })
    expect(store()).toEqual({ [key]: { Username: '<token>', Secret: result.identityToken } })
    const file = await loadConfig(dir)
    expect(file).toEqual({
      credsStore: 'wharf-test',
      psFormat: 'table {{.ID}}',
      auths: { [key]: {} },
    })
    expect(JSON.stringify(file)).not.toContain(USER.password)

    const found = await loadAuthConfig(backend.url, { dir, env })
    expect(found).toEqual({ serverAddress: key, identityToken: result.identityToken })
    const session = createSession(createEndpoint(backend.url), { authConfig: found! })
    expect(await session.getV2Version()).toMatchObject({ status: 200 })
  })

  it('writes base64 credentials to auths without a helper, and credHelpers win for their host', async () => {
    backend = await startMock('http', { auth: { type: 'basic', ...USER } })
    freshDir()
    const key = new URL(backend.url).host
    const result = await login({ ...USER, serverAddress: backend.url })
    expect(await saveLogin(result, USER, { dir, env })).toMatchObject({ key, store: 'file' })
    const file = await loadConfig(dir)
    expect(file.auths?.[key]).toEqual({ auth: Buffer.from('alice:s3cret').toString('base64') })
    expect(await loadAuthConfig(key, { dir, env })).toEqual({ serverAddress: key, ...USER })

    await saveConfig({ ...file, credHelpers: { [key]: 'wharf-test' } }, dir)
    await saveLogin(result, { username: 'alice', password: 'rotated' }, { dir, env })
    expect(store()).toEqual({ [key]: { Username: 'alice', Secret: 'rotated' } })
    expect(await resolveAuthConfig(await loadConfig(dir), key, { env })).toEqual({
      serverAddress: key,
      username: 'alice',
      password: 'rotated',
    })
  })

  it('uses the Hub key for Docker Hub logins and falls back to the file when the helper has nothing', async () => {
    backend = await startMock('http', { hub: true, auth: { type: 'token', ...USER } })
    freshDir({
      credsStore: 'wharf-test',
      auths: { [INDEX_SERVER]: { auth: Buffer.from('bob:pw').toString('base64') } },
    })
    expect(await loadAuthConfig('docker.io', { dir, env })).toEqual({
      serverAddress: INDEX_SERVER,
      username: 'bob',
      password: 'pw',
    })
    const result = await login(USER, {
      hub: { registry: backend.url, index: `${backend.url}/v1/` },
    })
    expect((await saveLogin(result, USER, { dir, env })).key).toBe(INDEX_SERVER)
    expect(await loadAuthConfig('index.docker.io', { dir, env })).toEqual({
      serverAddress: INDEX_SERVER,
      identityToken: result.identityToken,
    })
  })

  it('logs out from the helper and from the file, and says when nothing was stored', async () => {
    backend = await startMock('http', { auth: { type: 'basic', ...USER } })
    const key = new URL(backend.url).host
    const result = await login({ ...USER, serverAddress: backend.url })
    freshDir({ credsStore: 'wharf-test' })
    await saveLogin(result, USER, { dir, env })
    expect(store()[key]).toBeDefined()
    expect(await removeLogin(backend.url, { dir, env })).toBe(true)
    expect(store()[key]).toBeUndefined()
    expect((await loadConfig(dir)).auths?.[key]).toBeUndefined()
    expect(await loadAuthConfig(key, { dir, env })).toBeUndefined()

    freshDir({ psFormat: 'kept' })
    await saveLogin(result, USER, { dir, env })
    expect(await removeLogin(key, { dir, env })).toBe(true)
    expect(await loadConfig(dir)).toEqual({ psFormat: 'kept', auths: {} })
    expect(await removeLogin(key, { dir, env })).toBe(false)
  })

  it('reports a missing helper as a typed error', async () => {
    freshDir({ credsStore: 'does-not-exist' })
    const error = await loadAuthConfig('registry.example', { dir, env }).catch((e) => e)
    expect(error.code).toBe('ERR_CREDENTIAL_HELPER')
    expect(error.message).toMatch(/docker-credential-does-not-exist/)
  })
})
