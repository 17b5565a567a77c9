import { describe, expect, it } from 'vitest'
import { decodeYaml, type Job, type ProvisionClient, pretty } from '../src/index.js'
import { startMock } from './helpers.js'

async function readLog(client: ProvisionClient, job: Job): Promise<string> {
  const chunks: Uint8Array[] = []
  await client.jobLog(job, new WritableStream({ write: (c) => void chunks.push(c) }))
  return Buffer.concat(chunks).toString()
}

async function machineWithTasks(client: ProvisionClient) {
  await client.createModel('templates', { ID: 'shared.tmpl', Contents: 'shared body' })
  await client.createModel('tasks', {
    Name: 'hello',
    Templates: [
      { Name: 'script', Path: '', Contents: 'echo hi', Meta: { OS: 'linux' } },
      { Name: 'file', Path: '/etc/motd', ID: 'shared.tmpl', Meta: { OS: 'windows' } },
    ],
  })
  await client.createModel('tasks', {
    Name: 'bye',
    Templates: [{ Name: 'run', Path: '', Contents: 'echo bye', Meta: { OS: 'any' } }],
  })
  await client.createModel('stages', { Name: 'work', Tasks: ['hello', 'bye'] })
  return client.createModel('machines', { Name: 'worker.example.com', Stage: 'work' })
}

const finish = (client: ProvisionClient, job: Job) =>
  client.patchModel('jobs', job.Uuid!, [
    { op: 'test', path: '/State', value: 'created' },
    { op: 'replace', path: '/State', value: 'running' },
    { op: 'replace', path: '/State', value: 'finished' },
    { op: 'replace', path: '/ExitState', value: 'complete' },
  ])

describe('jobs', () => {
  it('walks a machine through its task list: 201 per task, then 204', async () => {
    const { client, mock } = await startMock()
    const m = await machineWithTasks(client)
    expect(m).toMatchObject({ Tasks: ['hello', 'bye'], CurrentTask: -1, Runnable: true })
    const first = (await client.createJob(m.Uuid!))!
    expect(first).toMatchObject({
      Task: 'hello',
      State: 'created',
      Current: true,
      CurrentIndex: 0,
      NextIndex: 1,
    })
    expect(first.Previous).toBe('00000000-0000-0000-0000-000000000000')
    await expect(client.createJob(m.Uuid!)).rejects.toMatchObject({ status: 409, type: 'Conflict' })
    const done = await finish(client, first)
    expect(done.EndTime).not.toBe('0001-01-01T00:00:00Z')
    const second = (await client.createJob(m.Uuid!))!
    expect(second).toMatchObject({ Task: 'bye', Previous: first.Uuid, CurrentIndex: 1 })
    expect(mock.object('jobs', first.Uuid!)!.Current).toBe(false)
    await finish(client, second)
    expect(await client.createJob(m.Uuid!)).toBeUndefined()
    expect(mock.requests.at(-1)!.method).toBe('POST')
    expect((await client.getModel('machines', m.Uuid!)).CurrentTask).toBe(2)
  })

  it('an incomplete job is handed out again with 202', async () => {
    const { client } = await startMock()
    const m = await machineWithTasks(client)
    const job = (await client.createJob(m.Uuid!))!
    await client.patchModel('jobs', job.Uuid!, [
      { op: 'replace', path: '/State', value: 'incomplete' },
    ])
    const again = await client.req().post({ Machine: m.Uuid }).urlFor('jobs').send()
    expect(again.status).toBe(202)
    expect((await client.createJob(m.Uuid!))!.Uuid).toBe(job.Uuid)
  })

  it('keeps an append-only log per job', async () => {
    const { client } = await startMock()
    const m = await machineWithTasks(client)
    const job = (await client.createJob(m.Uuid!))!
    expect(await readLog(client, job)).toBe(`Log for Job: ${job.Uuid}\n`)
    await client.appendJobLog(job, 'line one\n')
    await client.appendJobLog(job.Uuid!, new Uint8Array([0x6f, 0x6b, 0x0a]))
    expect(await readLog(client, job)).toBe(`Log for Job: ${job.Uuid}\nline one\nok\n`)
    await expect(
      client.req().put({ a: 1 }).urlFor('jobs', job.Uuid!, 'log').do(),
    ).rejects.toMatchObject({ status: 415 })
  })

  it('renders actions for a target OS', async () => {
    const { client } = await startMock()
    const m = await machineWithTasks(client)
    const job = (await client.createJob(m.Uuid!))!
    expect(await client.jobActions(job)).toEqual([
      { Name: 'script', Path: '', Content: 'echo hi', Meta: { OS: 'linux' } },
      { Name: 'file', Path: '/etc/motd', Content: 'shared body', Meta: { OS: 'windows' } },
    ])
    expect((await client.jobActions(job, 'linux')).map((a) => a.Name)).toEqual(['script'])
    await expect(client.jobActions('00000000-0000-0000-0000-00000000dead')).rejects.toMatchObject({
      status: 404,
      type: 'ValidationError',
    })
  })

  it('refuses unknown machines, non-runnable machines and deleting a live job', async () => {
    const { client } = await startMock()
    await expect(client.createJob('nope')).rejects.toMatchObject({
      status: 422,
      type: 'ValidationError',
    })
    await expect(client.req().post({}).urlFor('jobs').do()).rejects.toMatchObject({ status: 400 })
    const m = await machineWithTasks(client)
    const job = (await client.createJob(m.Uuid!))!
    await expect(client.deleteModel('jobs', job.Uuid!)).rejects.toMatchObject({
      status: 422,
      messages: [`Jobs ${job.Uuid} is not in a deletable state: created`],
    })
    await client.patchModel('jobs', job.Uuid!, [{ op: 'replace', path: '/State', value: 'failed' }])
    expect((await client.deleteModel('jobs', job.Uuid!)).State).toBe('failed')
    await client.patchModel('machines', m.Uuid!, [
      { op: 'replace', path: '/Runnable', value: false },
    ])
    await expect(client.createJob(m.Uuid!)).rejects.toMatchObject({
      status: 409,
      messages: [`Machine ${m.Uuid} is not runnable`],
    })
  })

  it('stage: steps move the machine and answer 204', async () => {
    const { client } = await startMock()
    await client.createModel('stages', { Name: 'next-stage' })
    const m = await client.createModel('machines', {
      Name: 'mover.example.com',
      Tasks: ['stage:next-stage'],
    })
    expect(await client.createJob(m.Uuid!)).toBeUndefined()
    const moved = await client.getModel('machines', m.Uuid!)
    expect(moved).toMatchObject({
      Stage: 'next-stage',
      Params: { 'change-stage/map': { none: 'next-stage' } },
    })
    const [stepJob] = await client.filter('jobs', 'Machine', 'Eq', m.Uuid!)
    expect(stepJob).toMatchObject({
      Task: 'stage:next-stage',
      State: 'finished',
      ExitState: 'complete',
    })
  })
})

describe('logs, events, pretty and decodeYaml', () => {
  it('postEvent is a 204 and lands in the event stream', async () => {
    const { client, mock } = await startMock()
    await client.postEvent({ Type: 'custom', Action: 'ping', Key: 'k1', Object: { n: 1 } })
    expect(mock.events.at(-1)).toMatchObject({
      Type: 'custom',
      Action: 'ping',
      Key: 'k1',
      Object: { n: 1 },
    })
  })

  it('pretty prints JSON and YAML that decodeYaml reads back', () => {
    const obj = { Name: 'x', List: [1, 'two'], Nested: { ok: true } }
    expect(pretty('json', obj)).toBe(`${JSON.stringify(obj, null, 2)}\n`)
    expect(decodeYaml(pretty('yaml', obj))).toEqual(obj)
    expect(decodeYaml('{"Name": "json too"}')).toEqual({ Name: 'json too' })
    expect(() => decodeYaml('a: [')).toThrow(/not valid YAML or JSON/)
    expect(() => pretty('xml' as never, obj)).toThrow(/unknown format/)
  })
})
