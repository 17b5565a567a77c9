import { createHash } from 'node:crypto'
import { bakeryAuth } from '@wharf/auth'
import { setupServer } from 'msw/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCharmStoreClient } from '../../src/index.js'
import { createMockCharmStore } from '../../src/mock/index.js'
import { parseYaml } from '../../src/mock/yaml.js'
import { ADMIN, charmZip } from '../fixtures.js'

const ORIGIN = 'http://127.0.0.1:7480'
const adminAuth = `Basic ${btoa('admin:admin-password')}`
const sha384 = (bytes: Uint8Array) => createHash('sha384').update(bytes).digest('hex')

/** Calls the mock's fetch handler directly and returns status, content type and parsed body. */
async function call(
  mock: ReturnType<typeof createMockCharmStore>,
  path: string,
  init: RequestInit = {},
) {
  const response = await mock.handle(new Request(`${ORIGIN}/v5${path}`, init))
  const text = await response.text()
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    headers: response.headers,
    body: text ? JSON.parse(text) : undefined,
  }
}

async function seeded() {
  const mock = createMockCharmStore({ limits: { minPart: 4 } })
  const zip = charmZip('wordpress', { resources: { data: { type: 'file', filename: 'data.tgz' } } })
  const put = await call(mock, `/~bob/trusty/wordpress/archive?hash=${sha384(zip)}`, {
    method: 'POST',
    body: zip as BodyInit,
    headers: { authorization: adminAuth, 'content-length': String(zip.byteLength) },
  })
  expect(put.body).toEqual({ Id: 'cs:~bob/trusty/wordpress-0' })
  return mock
}

describe('mock store rules (from the API reference)', () => {
  it('answers discharge-required with 407 to protocol-0 clients and 401 + WWW-Authenticate to v3', async () => {
    const mock = createMockCharmStore()
    const v0 = await call(mock, '/whoami')
    expect(v0.status).toBe(407)
    expect(v0.type).toBe('application/json')
    expect(v0.body.Code).toBe('macaroon discharge required')
    expect(v0.body.Info.Macaroon).toBeTruthy()
    expect(v0.body.Info.CookieNameSuffix).toBe('authn')
    const v3 = await call(mock, '/whoami', { headers: { 'bakery-protocol-version': '3' } })
    expect(v3.status).toBe(401)
    expect(v3.headers.get('www-authenticate')).toBe('Macaroon')
    const bearer = await call(mock, '/whoami', { headers: { authorization: 'Bearer x' } })
    expect(bearer).toMatchObject({ status: 401, body: { Code: 'unauthorized' } })
  })

  it('splits ids with the known-series list and keys bulk results by the ids as sent', async () => {
    const mock = await seeded()
    const one = await call(mock, '/~bob/trusty/wordpress-0/meta/id', {
      headers: { authorization: adminAuth },
    })
    expect(one.body).toEqual({
      Id: 'cs:~bob/trusty/wordpress-0',
      User: 'bob',
      Series: 'trusty',
      Name: 'wordpress',
      Revision: 0,
    })
    const bulk = await call(
      mock,
      '/meta/id-name?id=~bob/trusty/wordpress-0&id=cs:~bob/trusty/none-1',
      { headers: { authorization: adminAuth } },
    )
    expect(bulk.body).toEqual({ '~bob/trusty/wordpress-0': { Name: 'wordpress' } })
    expect((await call(mock, '/meta/id-name')).status).toBe(400)
    const unknown = await call(mock, '/~bob/trusty/wordpress-0/meta/any?include=nonsense', {
      headers: { authorization: adminAuth },
    })
    expect(unknown).toMatchObject({ status: 500, body: { Code: '' } })
    expect((await call(mock, '/~bob/trusty/wordpress/meta/any')).status).toBe(404) // unpublished: not in stable
    const channel = await call(mock, '/meta?channel=development')
    expect(channel.body.Message).toBe('invalid channel "development" specified in request')
  })

  it('checks archive uploads: user, revision rules, hash, Content-Length, size', async () => {
    const mock = await seeded()
    const zip = charmZip('wordpress')
    const post = (
      path: string,
      headers: Record<string, string> = {},
      body: BodyInit = zip as BodyInit,
    ) =>
      call(mock, path, { method: 'POST', body, headers: { authorization: adminAuth, ...headers } })
    expect((await post(`/trusty/wordpress/archive?hash=${sha384(zip)}`)).body.Message).toBe(
      'user not specified',
    )
    expect((await post(`/~bob/trusty/wordpress-3/archive?hash=${sha384(zip)}`)).body.Message).toBe(
      'revision specified, but should not be specified',
    )
    expect((await post('/~bob/trusty/wordpress/archive')).body.Message).toBe(
      'hash parameter not specified',
    )
    const stream = new Blob([zip as BlobPart]).stream()
    const chunked = await mock.handle(
      new Request(`${ORIGIN}/v5/~bob/trusty/wordpress/archive?hash=${sha384(zip)}`, {
        method: 'POST',
        body: stream,
        headers: { authorization: adminAuth },
        duplex: 'half',
      } as RequestInit),
    )
    expect(((await chunked.json()) as any).Message).toBe('Content-Length not specified')
    const short = await post(`/~bob/trusty/wordpress/archive?hash=${sha384(zip)}`, {
      'content-length': String(zip.byteLength + 5),
    })
    expect(short.body.Code).toBe('invalid charm or bundle')
  })

  it('enforces the multipart part rules: contiguous offsets, part hashes, minimum sizes at finish', async () => {
    const mock = await seeded()
    const h = { authorization: adminAuth }
    const start = await call(mock, '/upload', { method: 'POST', body: 'null', headers: h })
    expect(start.body).toMatchObject({ Parts: { Parts: null }, MinPartSize: 4, MaxParts: 400 })
    const id = start.body.UploadId
    const part = (
      n: number,
      bytes: string,
      offset?: number,
      hash = sha384(new TextEncoder().encode(bytes)),
    ) =>
      call(
        mock,
        `/upload/${id}/${n}?hash=${hash}${offset === undefined ? '' : `&offset=${offset}`}`,
        { method: 'PUT', body: bytes, headers: h },
      )
    expect((await part(0, 'abcd', 0)).status).toBe(200)
    expect((await part(1, 'ef', 5)).body.Message).toContain('not contiguous')
    expect((await part(1, 'ef', 4, sha384(new Uint8Array([1])))).body.Message).toContain(
      'hash mismatch',
    )
    expect((await part(1, 'ef', 4)).status).toBe(200)
    expect((await part(0, 'wxyz', 0)).body.Message).toContain('different hash')
    const state = await call(mock, `/upload/${id}`, { headers: h })
    expect(state.body.Parts.Parts).toEqual([
      { Hash: sha384(new TextEncoder().encode('abcd')), Size: 4, Offset: 0, Complete: true },
      { Hash: sha384(new TextEncoder().encode('ef')), Size: 2, Offset: 4, Complete: true },
    ])
    const finish = (parts: unknown) =>
      call(mock, `/upload/${id}`, {
        method: 'PUT',
        body: JSON.stringify({ Parts: parts }),
        headers: h,
      })
    expect((await finish([{ Hash: 'x', Complete: true }])).body.Message).toContain(
      'part count mismatch',
    )
    const whole = await finish(
      state.body.Parts.Parts.map((p: any) => ({ Hash: p.Hash, Complete: true })),
    )
    expect(whole.body).toEqual({ Hash: sha384(new TextEncoder().encode('abcdef')) })
    const attach = await call(
      mock,
      `/~bob/trusty/wordpress-0/resource/data?upload-id=${id}&filename=data.tgz`,
      { method: 'POST', body: 'null', headers: h },
    )
    expect(attach.body).toEqual({ Revision: 0 })
    expect((await call(mock, '/upload/nosuch', { headers: h })).status).toBe(404)
  })

  it('parses the YAML subset charms use', () => {
    expect(
      parseYaml(
        'name: x # comment\nseries: [a, b]\nflags: {k: v}\nlist:\n  - one\n  - key: val\n    other: 2\ntext: >\n  folded\n  line\nq: "a: b"\n',
      ),
    ).toEqual({
      name: 'x',
      series: ['a', 'b'],
      flags: { k: 'v' },
      list: ['one', { key: 'val', other: 2 }],
      text: 'folded line',
      q: 'a: b',
    })
    expect(() => parseYaml('a: 1\n  b: 2\n')).toThrow(/unexpected indentation/)
  })
})

describe('mock as msw handlers', () => {
  const mock = createMockCharmStore({ discharger: { user: 'dora' } })
  const server = setupServer(...mock.handlers())
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
  afterAll(() => server.close())

  it('serves the store and the discharger on their default origins', async () => {
    const admin = createCharmStoreClient({ url: ORIGIN, ...ADMIN, http: { retry: 0 } })
    await admin.uploadCharm('~dora/trusty/app', charmZip('app'))
    const dora = createCharmStoreClient({ url: ORIGIN, auth: bakeryAuth(), http: { retry: 0 } })
    expect((await dora.whoAmI()).User).toBe('dora')
    expect(
      mock.requests.filter((r) => r.server === 'discharger').map((r) => new URL(r.url).origin),
    ).toEqual(['http://localhost:7481'])
    await dora.putExtraInfo('~dora/trusty/app-0', { ok: true })
    expect((await dora.meta('~dora/trusty/app-0', { extraInfo: true })).meta.extraInfo).toEqual({
      ok: true,
    })
  })
})
