import { createHash } from 'node:crypto'
import { type FetchLike, WharfError } from '@wharf/core-http'
import { drainBounded, hostileResponder, hostileRounds } from '@wharf/tooling/fuzz'
import { http } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { filterBuilder, type ProvisionClient, tokenSession, userSession } from '../src/index.js'
import { createMockProvision } from '../src/mock/index.js'

const msw = setupServer()
beforeAll(() => msw.listen({ onUnhandledRequest: 'error' }))
afterAll(() => msw.close())

const DRP = 'http://evil.mock'
const USER = 'rocketskates'
const PASSWORD = 'r0cketsk8ts'
const iso = new TextEncoder().encode('iso bytes')
const isoSha = createHash('sha256').update(iso).digest('hex')

/** Session options: fast retries, no background refresh, requests through `fetch`. */
const sessionOptions = (fetch?: FetchLike) => ({
  allowInsecure: true,
  retry: { limit: 1, delay: 1 },
  refreshEvery: 3_600_000,
  ...(fetch ? { fetch } : {}),
})

/** The operations every round picks from, on `client` (logins through `fetch`). */
function operations(
  client: ProvisionClient,
  fetch?: FetchLike,
): Array<[string, () => Promise<unknown>]> {
  const options = sessionOptions(fetch)
  const machine = { Name: 'node1.example.com', Uuid: '3b2f7c2e-8d0c-4b5e-9c5a-1f6a0f1e2d3c' }
  return [
    ['userSession', async () => (await userSession(DRP, USER, PASSWORD, options)).close()],
    ['info', () => client.info()],
    ['logs', () => client.logs()],
    ['getModel', () => client.getModel('machines', 'Name:node1.example.com')],
    [
      'filter',
      () =>
        client.filter(
          'machines',
          filterBuilder().where('Name', 'Eq', 'node1.example.com').limit(5),
        ),
    ],
    [
      'iterateModel',
      () => drainBounded(client.iterateModel('machines', { pageSize: 2, maxPages: 30 })),
    ],
    ['createModel', () => client.createModel('machines', machine)],
    ['putModel', () => client.putModel('machines', { ...machine, Description: 'rack 4' })],
    [
      'patchTo',
      async () => {
        const [old, next] = await client.getModelForPatch('machines', machine.Uuid)
        return client.patchTo('machines', old, { ...next, Description: 'rack 5' })
      },
    ],
    ['deleteModel', () => client.deleteModel('profiles', 'rack-4')],
    ['existsModel', () => client.existsModel('machines', machine.Uuid)],
    ['oneIndex', () => client.oneIndex('machines', 'Name')],
    ['listBlobs', () => client.listBlobs('files', 'path', '/')],
    ['getBlob', () => client.getBlob(new WritableStream<Uint8Array>(), 'files', 'hello.txt')],
    [
      'uploadISOForBootEnv',
      () =>
        client.uploadISOForBootEnv(
          {
            Name: 'sledgehammer',
            OS: { Name: 'sledgehammer', IsoFile: 'sh.iso', IsoSha256: isoSha },
          },
          iso,
        ),
    ],
    [
      'jobs',
      async () => {
        const job = await client.createJob(machine.Uuid)
        await client.appendJobLog(job ?? 'job1', 'hello\n')
        await client.jobActions(job ?? 'job1', 'linux')
        await client.jobLog(job ?? 'job1', new WritableStream<Uint8Array>())
      },
    ],
    [
      'contents',
      async () => {
        await client.getContentSummary()
        await client.createContent({ meta: { Name: 'extra', Version: 'v1' }, sections: {} })
        await client.getContentItem('extra')
      },
    ],
    [
      'postEvent',
      () => client.postEvent({ Type: 'machines', Action: 'update', Key: machine.Uuid }),
    ],
  ]
}

describe('a hostile dr-provision', () => {
  it('gets typed errors only: random statuses, headers and bodies on every request', async () => {
    // Seeds: what the mock server answers to the same operations (run twice: the second round
    // finds what the first created).
    const mock = createMockProvision()
    const bodies = new Set<string>()
    const types = new Set<string>()
    const recording: FetchLike = async (input, init) => {
      const response = await mock.handle(new Request(input, init))
      const text = await response.clone().text()
      if (text && text.length < 8192) bodies.add(text)
      types.add(response.headers.get('content-type') ?? '')
      return response
    }
    const session = await userSession(DRP, USER, PASSWORD, sessionOptions(recording))
    const honest = operations(session, recording)
    for (let i = 0; i < 2; i++) for (const [, run] of honest) await run().catch(() => {})
    session.close()
    expect(bodies.size).toBeGreaterThan(10)

    const answer = hostileResponder(
      {
        seeds: [
          ...bodies,
          JSON.stringify({
            Model: 'machines',
            Key: 'node1.example.com',
            Type: 'PATCH',
            Messages: ['Patch error at line 0: test failed'],
            Code: 409,
          }),
          JSON.stringify({ Token: 'token', Info: { version: 'v4.10.0' } }),
          JSON.stringify([{ Name: 'node1.example.com', Uuid: 'uuid' }, { Name: 'node2' }]),
          JSON.stringify({ Path: '/isos/sh.iso', Size: 9 }),
          'http://evil.mock/api/v3/machines',
        ],
        headers: ['location'],
        contentTypes: [...types, 'application/json', 'application/octet-stream', 'text/plain'],
      },
      5057,
    )
    // A RegExp, not a path pattern: msw would try to decode the hostile paths as parameters.
    // Redirects to any other origin get a second hostile server there.
    msw.use(
      http.all(/^http:\/\/evil\.mock\//, answer),
      http.all(
        /^https?:\/\//,
        hostileResponder(
          { seeds: [...bodies], headers: [], contentTypes: ['application/json'] },
          5002,
        ),
      ),
    )
    const typed = (e: unknown): e is WharfError => e instanceof WharfError
    const client = tokenSession(DRP, 'token', sessionOptions())
    const { untyped, outcomes } = await hostileRounds(operations(client), typed, 400, 5059)
    client.close()
    expect(untyped).toEqual([])
    // The answers reached many different paths of the client.
    expect(outcomes.size).toBeGreaterThanOrEqual(6)
  }, 60_000)
})
