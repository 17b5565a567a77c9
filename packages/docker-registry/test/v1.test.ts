import { createHash } from 'node:crypto'
import { HttpError } from '@wharf/core-http'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createEndpoint,
  createSession,
  ImageExistsError,
  InvalidArgumentError,
  RepositoryNotFoundError,
  type Session,
} from '../src/index.js'
import { type Backend, KINDS, startMock, v1OnlyFetch } from './backends.js'

const id = (seed: string) => createHash('sha256').update(seed).digest('hex')
const BASE = id('base')
const TOP = id('top')
const sha = (...parts: Uint8Array[]) => {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return `sha256:${h.digest('hex')}`
}
const enc = (s: string) => new TextEncoder().encode(s)
const layerOf = (n: number, fill: number) => new Uint8Array(n).map((_, i) => (i * 7 + fill) & 0xff)
const collect = async (stream: ReadableStream<Uint8Array>) =>
  new Uint8Array(await new Response(stream).arrayBuffer())

const USERS = { alice: 's3cret', dormant: { password: 'x', active: false } }

describe.each(KINDS)('V1 registry and index over %s', (kind) => {
  let backend: Backend
  afterEach(async () => backend?.close())

  const session = (auth?: { username: string; password: string }) =>
    createSession(createEndpoint(backend.url), { ...(auth ? { authConfig: auth } : {}), retry: 0 })

  async function push(s: Session) {
    const images = [
      {
        id: BASE,
        json: enc(JSON.stringify({ id: BASE, created: '2020-01-01T00:00:00Z' })),
        layer: layerOf(300, 1),
      },
      { id: TOP, json: enc(JSON.stringify({ id: TOP, parent: BASE })), layer: layerOf(500, 2) },
    ]
    const declared = await s.pushImageJSONIndex('alice/app', [
      { id: TOP, tag: 'latest' },
      { id: BASE },
    ])
    const registry = declared.endpoints[0]!
    const pushed = []
    for (const img of images) {
      expect(await s.lookupRemoteImage(img.id, registry)).toBe(false)
      await s.pushImageJSONRegistry({ id: img.id }, img.json, registry)
      const sums = await s.pushImageLayerRegistry(img.id, img.layer, registry, {
        jsonRaw: img.json,
      })
      await s.pushImageChecksumRegistry({ id: img.id, ...sums }, registry)
      pushed.push({ id: img.id, checksum: sums.checksum })
    }
    await s.pushRegistryTag('alice/app', TOP, 'latest', registry)
    await s.pushImageJSONIndex('alice/app', pushed, {
      validate: true,
      registries: declared.endpoints,
    })
    return { declared, registry, images }
  }

  it('pushes in order with an index token, then pulls it back anonymously', async () => {
    backend = await startMock(kind, { users: USERS })
    const s = session({ username: 'alice', password: 's3cret' })
    const { declared, registry, images } = await push(s)
    expect(declared.endpoints).toEqual([`${backend.url}/v1/`])
    expect(declared.tokens).toHaveLength(1)
    expect(declared.tokens[0]).toMatch(/^signature=[a-f0-9]+,repository="alice\/app",access=write$/)
    for (const img of images) {
      const stored = backend.mock.state.images.get(img.id)!
      expect(stored.complete).toBe(true)
      expect(stored.checksum).toBe(sha(img.json, enc('\n'), img.layer))
    }
    // registry calls carried the index token, never the password
    const layerPut = backend.mock.requests.find(
      (r) => r.method === 'PUT' && r.url.endsWith(`${TOP}/layer`),
    )!
    expect(layerPut.headers.authorization).toMatch(/^(Token \[redacted\])?$/)

    const reader = session()
    const data = await reader.getRepositoryData('alice/app')
    expect([...data.imgList.keys()].sort()).toEqual([TOP, BASE].sort())
    expect(data.imgList.get(TOP)?.checksum).toBe(sha(images[1]!.json, enc('\n'), images[1]!.layer))
    expect(data.tokens[0]).toContain('access=read')
    expect(reader.tokens).toEqual(data.tokens)
    expect(await reader.getRemoteTags(data.endpoints, 'alice/app')).toEqual({ latest: TOP })
    expect(await reader.getRemoteHistory(TOP, registry)).toEqual([TOP, BASE])
    const json = await reader.getRemoteImageJSON(BASE, registry)
    expect(new TextDecoder().decode(json.json)).toBe(new TextDecoder().decode(images[0]!.json))
    expect(json.size).toBe(300)
    expect(json.checksum).toBe(sha(images[0]!.json, enc('\n'), images[0]!.layer))
    expect(await collect(await reader.getRemoteImageLayer(TOP, registry, { size: 500 }))).toEqual(
      images[1]!.layer,
    )
    expect(await reader.lookupRemoteImage(TOP, registry)).toBe(true)
    expect(await collect(await reader.getRemoteImageLayer(TOP, registry, { offset: 100 }))).toEqual(
      images[1]!.layer.slice(100),
    )
  })

  it('enforces the push order and reports an existing image as ImageExistsError', async () => {
    backend = await startMock(kind, { users: USERS })
    const s = session({ username: 'alice', password: 's3cret' })
    const { registry, images } = await push(s)
    await expect(
      s.pushImageJSONRegistry({ id: TOP }, images[1]!.json, registry),
    ).rejects.toBeInstanceOf(ImageExistsError)

    const other = id('orphan')
    const orphan = enc(JSON.stringify({ id: other, parent: id('missing') }))
    const parentMissing = await s
      .pushImageJSONRegistry({ id: other }, orphan, registry)
      .catch((e) => e)
    expect(parentMissing).toBeInstanceOf(HttpError)
    expect(parentMissing.status).toBe(400)
    expect(parentMissing.errors[0].message).toMatch(/parent/i)

    const lone = id('lone')
    await s.pushImageJSONRegistry({ id: lone }, enc(JSON.stringify({ id: lone })), registry)
    const early = await s
      .pushImageChecksumRegistry(
        { id: lone, checksum: 'sha256:00', checksumPayload: 'sha256:00' },
        registry,
      )
      .catch((e) => e)
    expect(early.status).toBe(409)
    await s
      .pushImageLayerRegistry(lone, layerOf(10, 3), registry, { jsonRaw: '{}' })
      .then(async (sums) => {
        // the checksum covers different JSON than was stored: the registry refuses it
        const wrong = await s
          .pushImageChecksumRegistry({ id: lone, ...sums }, registry)
          .catch((e) => e)
        expect(wrong.status).toBe(400)
        expect(wrong.errors[0].message).toMatch(/checksum/i)
      })
    const tagIncomplete = await s
      .pushRegistryTag('alice/app', lone, 'broken', registry)
      .catch((e) => e)
    expect(tagIncomplete.status).toBe(404)
    const notDeclared = await s
      .pushImageJSONIndex('alice/none', [{ id: TOP }], { validate: true })
      .catch((e) => e)
    expect(notDeclared.status).toBe(404)
  })

  it('fails clearly: unknown repository, bad credentials, inactive account, no token, bad ids', async () => {
    backend = await startMock(kind, { users: USERS })
    await push(session({ username: 'alice', password: 's3cret' }))
    await expect(session().getRepositoryData('alice/nothing')).rejects.toBeInstanceOf(
      RepositoryNotFoundError,
    )
    const bad = await session({ username: 'alice', password: 'wrong' })
      .pushImageJSONIndex('alice/app', [{ id: TOP }])
      .catch((e) => e)
    expect(bad.status).toBe(401)
    expect(String(bad.message)).not.toContain('wrong')
    const inactive = await session({ username: 'dormant', password: 'x' })
      .pushImageJSONIndex('alice/app', [{ id: TOP }])
      .catch((e) => e)
    expect(inactive.status).toBe(403)
    const registry = `${backend.url}/v1/`
    const anonymous = session()
    const noToken = await anonymous.getRemoteHistory(TOP, registry).catch((e) => e)
    expect(noToken.status).toBe(401)
    // lookupRemoteImage reports errors instead of answering false
    await expect(anonymous.lookupRemoteImage(TOP, registry)).rejects.toBeInstanceOf(HttpError)
    await expect(
      anonymous.getRemoteTags([registry], 'alice/app', { token: ['signature=forged'] }),
    ).rejects.toMatchObject({
      status: 401,
    })
    await expect(anonymous.getRemoteImageJSON('nothex', registry)).rejects.toBeInstanceOf(
      InvalidArgumentError,
    )
    await expect(anonymous.getRemoteTags([], 'alice/app')).rejects.toBeInstanceOf(
      InvalidArgumentError,
    )
    await expect(anonymous.getRepositoryData('Alice/App')).rejects.toBeInstanceOf(
      InvalidArgumentError,
    )
    expect(backend.mock.requests.some((r) => r.url.includes('Alice'))).toBe(false)
  })

  it('keeps private repositories private and sends the session cookie back', async () => {
    backend = await startMock(kind, { users: USERS })
    await push(session({ username: 'alice', password: 's3cret' }))
    backend.mock.addRepository('alice/app', { private: true })
    await expect(session().getRepositoryData('alice/app')).rejects.toMatchObject({ status: 401 })
    const s = session({ username: 'alice', password: 's3cret' })
    const data = await s.getRepositoryData('alice/app')
    await s.getRemoteHistory(TOP, data.endpoints[0]!)
    await s.getRemoteHistory(BASE, data.endpoints[0]!, { token: [] })
    const last = backend.mock.requests.at(-1)!
    expect(last.headers.cookie).toMatch(/^session=/)
  })

  it('resumes a broken layer download with Range', async () => {
    backend = await startMock(kind, { users: USERS })
    const { registry, images } = await push(session({ username: 'alice', password: 's3cret' }))
    const reader = session()
    await reader.getRepositoryData('alice/app')
    backend.mock.v1Faults.cutLayer = { bytes: 120, count: 2 }
    const layer = await collect(await reader.getRemoteImageLayer(TOP, registry, { size: 500 }))
    expect(layer).toEqual(images[1]!.layer)
    const ranges = backend.mock.requests
      .filter((r) => r.method === 'GET' && r.url.endsWith(`${TOP}/layer`))
      .map((r) => r.headers.range)
    expect(ranges).toEqual([undefined, 'bytes=120-', 'bytes=240-'])

    // without a known size there is no resume: the break surfaces
    backend.mock.v1Faults.cutLayer = { bytes: 50, count: 1 }
    await expect(collect(await reader.getRemoteImageLayer(TOP, registry))).rejects.toThrow()

    // a registry that ignores Range on the resume is caught, not spliced in
    const noRange = createSession(createEndpoint(backend.url), {
      retry: 0,
      fetch: async (input, init) => {
        const request = new Request(input, init)
        request.headers.delete('range')
        return backend.mock.handle(request)
      },
    })
    noRange.tokens = reader.tokens
    backend.mock.v1Faults.cutLayer = { bytes: 120, count: 1 }
    const spliced = await collect(
      await noRange.getRemoteImageLayer(TOP, registry, { size: 500 }),
    ).catch((e) => e)
    expect(spliced.code).toBe('ERR_BAD_RANGE')
  })
})

describe.each(KINDS)('standalone V1 registry over %s', (kind) => {
  let backend: Backend
  afterEach(async () => backend?.close())

  it('pings as standalone V1 and takes Basic credentials on registry calls', async () => {
    backend = await startMock(kind, { users: USERS, standalone: true, v1Version: '0.9.1' })
    const endpoint = createEndpoint(backend.url, { fetch: v1OnlyFetch(backend.mock) })
    const info = await endpoint.ping()
    expect(info).toMatchObject({ version: 1, standalone: true, registryVersion: '0.9.1' })
    expect(endpoint.version).toBe(1)
    const s = createSession(endpoint, { authConfig: { username: 'alice', password: 's3cret' } })
    const registry = `${backend.url}/v1/`
    const json = enc(JSON.stringify({ id: BASE }))
    await s.pushImageJSONRegistry({ id: BASE }, json, registry)
    const sums = await s.pushImageLayerRegistry(
      BASE,
      new Blob([layerOf(64, 9)]).stream(),
      registry,
      { jsonRaw: json },
    )
    await s.pushImageChecksumRegistry({ id: BASE, ...sums }, registry)
    await s.pushRegistryTag('alice/solo', BASE, 'v1', registry)
    expect(await s.getRemoteTags([registry], 'alice/solo')).toEqual({ v1: BASE })
    expect(
      backend.mock.requests
        .filter((r) => r.method === 'PUT')
        .every((r) => r.headers.authorization === 'Basic [redacted]'),
    ).toBe(true)
    const anonymous = createSession(endpoint)
    await expect(
      anonymous.pushRegistryTag('alice/solo', BASE, 'v2', registry),
    ).rejects.toMatchObject({ status: 401 })
    expect(await anonymous.getRemoteTags([registry], 'alice/solo')).toEqual({ v1: BASE })
  })
})
