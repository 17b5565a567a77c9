import { describe, expect, it } from 'vitest'
import {
  apiPath,
  InvalidFilterError,
  ProvisionError,
  RequestBuildError,
  UnexpectedContentError,
} from '../src/index.js'
import { seen, startMock } from './helpers.js'

describe('apiPath', () => {
  it.each([
    [['machines'], '/api/v3/machines'],
    [['machines', '', 'Name:a b'], '/api/v3/machines/Name:a%20b'],
    [['params', 'change-stage/map'], '/api/v3/params/change-stage/map'],
    [['files', 'a/./b/../c', '?#%'], '/api/v3/files/a/c/%3F%23%25'],
    [[], '/api/v3'],
  ])('%j → %s', (parts, expected) => {
    expect(apiPath(...parts)).toBe(expected)
  })

  it('refuses control characters', () => {
    expect(() => apiPath('a\nb')).toThrow(RequestBuildError)
  })
})

describe('Req', () => {
  it('params() replaces the query string and sorts keys like Go', async () => {
    const { mock, client } = await startMock()
    const from = mock.requests.length
    await client
      .req()
      .urlFor('machines')
      .params('limit', '1')
      .params('sort', 'Name', 'Runnable', 'true')
      .do()
    expect(seen(mock, from)).toEqual(['GET /api/v3/machines?Runnable=true&sort=Name'])
  })

  it.each([
    ['no URL', (r: any) => r, RequestBuildError, 'No URL to talk to'],
    [
      'params before a URL',
      (r: any) => r.params('a', 'b').urlFor('x'),
      RequestBuildError,
      'needs a URL',
    ],
    ['odd params', (r: any) => r.urlFor('x').params('a'), RequestBuildError, 'even number'],
    ['odd headers', (r: any) => r.urlFor('x').headers('a'), RequestBuildError, 'even number'],
    [
      'bad filter',
      (r: any) => r.filter('machines', 'Name', 'Like', 'x'),
      InvalidFilterError,
      'unknown operator',
    ],
    ['non-array patch', (r: any) => r.urlFor('x').patch({}), RequestBuildError, 'must be an array'],
  ])('%s fails before sending', async (_name, build, type, text) => {
    const { mock, client } = await startMock()
    const from = mock.requests.length
    const error = await build(client.req())
      .do()
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(type)
    expect(error.message).toContain(text)
    expect(mock.requests.length).toBe(from)
  })

  it('sends JSON, octet-stream and empty bodies with the right content type', async () => {
    const { mock, client } = await startMock()
    const from = mock.requests.length
    await client.req().post({ Name: 'p1' }).urlFor('profiles').do()
    await client
      .req()
      .post(new Uint8Array([1, 2, 3]))
      .urlFor('files', 'a.bin')
      .do()
    await client
      .req()
      .put(undefined)
      .urlFor('profiles', 'p1')
      .do()
      .catch(() => {})
    const types = mock.requests.slice(from).map((r) => r.headers['content-type'])
    expect(types).toEqual(['application/json', 'application/octet-stream', 'application/json'])
    expect(mock.store.files.get('/a.bin')).toEqual(new Uint8Array([1, 2, 3]))
  })

  it('does not parse empty bodies: 204 and HEAD give undefined', async () => {
    const { client } = await startMock()
    await client
      .req()
      .post(new Uint8Array([1]))
      .urlFor('files', 'x')
      .do()
    expect(await client.req().del().urlFor('files', 'x').do()).toBeUndefined()
    expect(await client.req().head().urlFor('profiles', 'global').do()).toBeUndefined()
  })

  it('streams a body into a writable sink', async () => {
    const { client } = await startMock()
    const data = new TextEncoder().encode('hello blob')
    await client.req().post(data).urlFor('files', 'dir', 'h.txt').do()
    const chunks: Uint8Array[] = []
    await client
      .req()
      .urlFor('files', 'dir', 'h.txt')
      .do(new WritableStream({ write: (c) => void chunks.push(c) }))
    expect(new TextDecoder().decode(Buffer.concat(chunks))).toBe('hello blob')
  })

  it('refuses a non-JSON body without a sink, naming the content type and status', async () => {
    const { client } = await startMock()
    await client
      .req()
      .post(new Uint8Array([1]))
      .urlFor('files', 'b')
      .do()
    const error: any = await client
      .req()
      .urlFor('files', 'b')
      .do()
      .catch((e: any) => e)
    expect(error).toBeInstanceOf(UnexpectedContentError)
    expect(error.status).toBe(200)
    expect(error.message).toContain('application/octet-stream')
  })

  it('decodes the error body into type, model, key and messages', async () => {
    const { client } = await startMock()
    const error = await client.getModel('machines', 'nope').catch((e) => e)
    expect(error).toBeInstanceOf(ProvisionError)
    expect(error).toMatchObject({
      status: 404,
      type: 'GET',
      model: 'machines',
      key: 'nope',
      messages: ['Not Found'],
    })
    expect(error.errors).toEqual([{ code: 'GET', message: 'machines/nope: Not Found' }])
  })

  it('unknown routes are a 404 "No route"', async () => {
    const { client } = await startMock()
    const error = await client
      .req()
      .urlFor('nothing-here')
      .do()
      .catch((e) => e)
    expect(error).toMatchObject({ status: 404, messages: ['No route'] })
  })
})
