import { describe, expect, it } from 'vitest'
import {
  filterBuilder,
  ipv4ToHex,
  keyOf,
  ModelError,
  modelPrefix,
  PatchConflictError,
  type Prefix,
  ProvisionError,
  userSession,
} from '../src/index.js'
import { PASSWORD, seen, startMock, USER } from './helpers.js'

const SAMPLES: Array<[Prefix, Record<string, unknown>, string]> = [
  [
    'machines',
    { Uuid: '3e7031fe-3062-45f1-835c-92541bc9cbd3', Name: 'node1.example.com' },
    'Description',
  ],
  ['bootenvs', { Name: 'be-one' }, 'Description'],
  ['stages', { Name: 'stage-one' }, 'Description'],
  ['tasks', { Name: 'task-one' }, 'Description'],
  ['templates', { ID: 'tmpl-one', Contents: 'hi' }, 'Contents'],
  ['params', { Name: 'change-stage/map', Schema: { type: 'object' } }, 'Description'],
  ['profiles', { Name: 'prof-one' }, 'Description'],
  ['workflows', { Name: 'wf-one' }, 'Description'],
  ['subnets', { Name: 'net-one', Subnet: '10.0.0.0/24' }, 'Description'],
  ['reservations', { Addr: '192.168.1.10', Token: '52:54:00:00:00:01' }, 'Description'],
  ['users', { Name: 'bob' }, 'Description'],
  ['roles', { Name: 'role-one' }, 'Description'],
  ['tenants', { Name: 'tenant-one' }, 'Description'],
  ['plugins', { Name: 'plug-one', Provider: 'ipmi' }, 'Description'],
]

describe('generic CRUD for every writable collection', () => {
  it.each(SAMPLES)('%s', async (prefix, sample, field) => {
    const { mock, client } = await startMock()
    const key = keyOf(prefix, sample)
    const created = (await client.createModel(prefix, sample as never)) as Record<string, unknown>
    expect(created).toMatchObject({ ...sample, Validated: true, ReadOnly: false })
    expect(mock.events.at(-1)).toMatchObject({ Type: prefix, Action: 'create', Key: key })
    expect(await client.existsModel(prefix, key)).toBe(true)
    expect(await client.getModel(prefix, key)).toEqual(created)
    expect((await client.listModel(prefix)).map((o) => keyOf(prefix, o))).toContain(key)

    const put = (await client.putModel(prefix, { ...created, [field]: 'put' } as never)) as any
    expect(put[field]).toBe('put')
    const [old, next] = await client.getModelForPatch(prefix, key)
    ;(next as any)[field] = 'patched'
    const patched = (await client.patchTo(prefix, old, next)) as any
    expect(patched[field]).toBe('patched')
    expect(mock.object(prefix, key)![field]).toBe('patched')
    expect(mock.events.at(-1)).toMatchObject({ Type: prefix, Action: 'update', Key: key })

    const ref = { stale: true } as any
    await client.fillModel(prefix, ref, key)
    expect(ref).toEqual(patched)
    expect(await client.deleteModel(prefix, key)).toEqual(patched)
    expect(mock.events.at(-1)).toMatchObject({ Type: prefix, Action: 'delete', Key: key })
    expect(await client.existsModel(prefix, key)).toBe(false)
  })
})

describe('keys', () => {
  it('reservations and leases are keyed by the uppercase hex of the address', () => {
    expect(ipv4ToHex('192.168.1.10')).toBe('C0A8010A')
    expect(keyOf('leases', { Addr: '10.0.0.1' })).toBe('0A000001')
    expect(() => ipv4ToHex('300.1.1.1')).toThrow(ModelError)
    expect(modelPrefix('machine')).toBe('machines')
    expect(modelPrefix('plugin_provider')).toBe('plugin_providers')
    expect(() => modelPrefix('widgets')).toThrow(/No such model type/)
  })

  it('unique indexes resolve Name:value for GET/HEAD/DELETE but not for PATCH', async () => {
    const { client } = await startMock()
    const m = await client.createModel('machines', { Name: 'bob.example.com' })
    expect((await client.getModel('machines', 'Name:bob.example.com')).Uuid).toBe(m.Uuid)
    expect(await client.existsModel('machines', 'Name:bob.example.com')).toBe(true)
    await expect(
      client.patchModel('machines', 'Name:bob.example.com', [
        { op: 'replace', path: '/Description', value: 'x' },
      ]),
    ).rejects.toMatchObject({ status: 404, type: 'PATCH' })
    expect((await client.deleteModel('machines', 'Name:bob.example.com')).Uuid).toBe(m.Uuid)
  })

  it('a dotted address finds a reservation', async () => {
    const { client } = await startMock()
    await client.createModel('reservations', { Addr: '10.1.2.3', Token: 'x' })
    expect((await client.getModel('reservations', '10.1.2.3')).Addr).toBe('10.1.2.3')
    expect((await client.getModel('reservations', '0A010203')).Token).toBe('x')
  })
})

describe('patches and conflicts', () => {
  it('a paranoid patch that loses a race is rejected with a typed conflict and changes nothing', async () => {
    const { mock, client, url } = await startMock()
    const other = await userSession(url, USER, PASSWORD)
    try {
      const m = await client.createModel('machines', { Name: 'race.example.com' })
      const [old, mine] = await client.getModelForPatch('machines', m.Uuid!)
      const [theirsOld, theirs] = await other.getModelForPatch('machines', m.Uuid!)
      theirs.Description = 'theirs'
      await other.patchTo('machines', theirsOld, theirs)
      mine.Runnable = false
      const error = await client.patchToFull('machines', old, mine, true).catch((e) => e)
      expect(error).toBeInstanceOf(PatchConflictError)
      expect(error.code).toBe('ERR_PATCH_CONFLICT')
      expect(error.status).toBe(409)
      expect(error.messages[0]).toBe('Patch error at line 0: Test op failed.')
      expect(mock.object('machines', m.Uuid!)).toMatchObject({
        Description: 'theirs',
        Runnable: true,
      })
      expect(mock.requests.at(-1)!.method).toBe('PATCH')
    } finally {
      other.close()
    }
  })

  it('a normal patch only conflicts on the fields it changes', async () => {
    const { client, mock } = await startMock()
    const m = await client.createModel('machines', { Name: 'calm.example.com' })
    const [old, next] = await client.getModelForPatch('machines', m.Uuid!)
    await client.patchModel('machines', m.Uuid!, [
      { op: 'replace', path: '/Description', value: 'elsewhere' },
    ])
    next.Runnable = false
    await client.patchTo('machines', old, next)
    expect(mock.object('machines', m.Uuid!)).toMatchObject({
      Description: 'elsewhere',
      Runnable: false,
    })
    next.Description = 'mine'
    await expect(client.patchTo('machines', old, next)).rejects.toBeInstanceOf(PatchConflictError)
  })

  it('patchTo refuses objects with different keys before sending', async () => {
    const { client, mock } = await startMock()
    const from = mock.requests.length
    await expect(client.patchTo('profiles', { Name: 'a' }, { Name: 'b' })).rejects.toThrow(
      /Cannot change key/,
    )
    expect(mock.requests.length).toBe(from)
  })
})

describe('server rules', () => {
  it.each([
    ['duplicate key', 'profiles', { Name: 'global' }, 409, 'CREATE'],
    ['empty key', 'profiles', { Description: 'x' }, 400, 'CREATE'],
    ['bad name', 'profiles', { Name: 'foo/' }, 422, 'ValidationError'],
    [
      'machine with a missing stage',
      'machines',
      { Name: 'm.example.com', Stage: 'baz' },
      422,
      'ValidationError',
    ],
  ] as const)('%s → %s', async (_n, prefix, body, status, type) => {
    const { client } = await startMock()
    await expect(client.createModel(prefix, body)).rejects.toMatchObject({ status, type })
  })

  it('objects with broken references are stored but not Available', async () => {
    const { client } = await startMock()
    const s = await client.createModel('stages', { Name: 'needs-task', Tasks: ['missing'] })
    expect(s).toMatchObject({
      Validated: true,
      Available: false,
      Errors: ['Task missing (at 0) does not exist'],
    })
  })

  it('refuses deleting what is in use, read-only objects and the global profile', async () => {
    const { client } = await startMock()
    await client.createModel('stages', { Name: 'uses-local', BootEnv: 'local' })
    await expect(client.deleteModel('bootenvs', 'ignore')).rejects.toMatchObject({
      status: 404,
      messages: ['readonly: ignore'],
    })
    await expect(client.deleteModel('stages', 'uses-local')).resolves.toMatchObject({
      Name: 'uses-local',
    })
    await expect(client.deleteModel('profiles', 'global')).rejects.toMatchObject({ status: 422 })
    await client.createModel('bootenvs', { Name: 'used' })
    await client.createModel('stages', { Name: 'user-stage', BootEnv: 'used' })
    await expect(client.deleteModel('bootenvs', 'used')).rejects.toMatchObject({
      status: 409,
      type: 'StillInUseError',
      messages: ['Bootenv used in use by Stage user-stage'],
    })
  })

  it('PUT cannot change the key; read-only objects cannot be patched', async () => {
    const { client } = await startMock()
    await expect(
      client.req().put({ Name: 'other' }).urlFor('profiles', 'global').do(),
    ).rejects.toMatchObject({ status: 400 })
    const [old, next] = await client.getModelForPatch('bootenvs', 'local')
    next.Description = 'x'
    await expect(client.patchTo('bootenvs', old, next)).rejects.toMatchObject({ status: 400 })
  })

  it('a machine gets a UUID, stage defaults, a secret, and loses Runnable on a BootEnv change', async () => {
    const { client } = await startMock()
    const m = await client.createModel('machines', { Name: 'fresh.example.com' })
    expect(m).toMatchObject({ Stage: 'none', BootEnv: 'local', CurrentTask: -1, Runnable: true })
    expect(m.Uuid).toMatch(/^[0-9a-f-]{36}$/)
    expect(m.Secret).toBeTruthy()
    await client.createModel('bootenvs', { Name: 'other-env' })
    const [old, next] = await client.getModelForPatch('machines', m.Uuid!)
    next.BootEnv = 'other-env'
    expect(await client.patchTo('machines', old, next)).toMatchObject({
      BootEnv: 'other-env',
      Runnable: false,
    })
  })
})

describe('machines under a workflow (server rules, §17)', () => {
  it('expand the workflow into tasks, refuse direct stage and bootenv edits, and leave it cleanly', async () => {
    const { client } = await startMock()
    for (const name of ['t-one', 't-two', 't-three'])
      await client.createModel('tasks', { Name: name })
    await client.createModel('bootenvs', { Name: 'sledge-env' })
    await client.createModel('stages', {
      Name: 'discover',
      BootEnv: 'sledge-env',
      Tasks: ['t-one'],
    })
    await client.createModel('stages', {
      Name: 'inventory',
      BootEnv: 'sledge-env',
      Tasks: ['t-two'],
    })
    await client.createModel('stages', { Name: 'finish', BootEnv: 'local', Tasks: ['t-three'] })
    await client.createModel('workflows', {
      Name: 'discover-all',
      Stages: ['discover', 'inventory', 'finish'],
    })
    const m = await client.createModel('machines', {
      Name: 'wf.example.com',
      Workflow: 'discover-all',
    })
    expect(m).toMatchObject({
      Stage: 'discover',
      BootEnv: 'sledge-env',
      CurrentTask: -1,
      Runnable: true,
      Tasks: [
        'stage:discover',
        'bootenv:sledge-env',
        't-one',
        'stage:inventory',
        't-two',
        'stage:finish',
        'bootenv:local',
        't-three',
      ],
    })
    for (const [path, value, message] of [
      ['/Stage', 'finish', 'Changing machine stage not allowed'],
      ['/BootEnv', 'local', 'Changing machine bootenv not allowed'],
    ] as const) {
      const error = await client
        .patchModel('machines', m.Uuid!, [{ op: 'replace', path, value }])
        .catch((e) => e)
      expect(error).toBeInstanceOf(ProvisionError)
      expect(error.status).toBe(422)
      expect(error.messages).toContain(message)
    }
    const left = await client.patchModel('machines', m.Uuid!, [
      { op: 'replace', path: '/Workflow', value: '' },
      {
        op: 'add',
        path: '/Params',
        value: { 'change-stage/map': { discover: 'finish' }, keep: 1 },
      },
    ])
    expect(left).toMatchObject({ Workflow: '', Stage: 'none', CurrentTask: -1, Tasks: [] })
    expect(left.Params).toEqual({ keep: 1 })
  })
})

describe('Req.fill, Req.delete and Req.patchToFull', () => {
  it('address the object by its own key', async () => {
    const { client, mock } = await startMock()
    await client.createModel('profiles', { Name: 'via-req', Description: 'one' })
    const ref = { Name: 'via-req' }
    await client.req().fill('profiles', ref)
    expect(ref).toMatchObject({ Description: 'one', Validated: true })
    const updated = await client
      .req()
      .patchToFull('profiles', ref, { ...ref, Description: 'two' }, false)
    expect(updated.Description).toBe('two')
    expect((await client.req().delete('profiles', { Name: 'via-req' })).Description).toBe('two')
    expect(mock.object('profiles', 'via-req')).toBeUndefined()
    await expect(client.req().delete('profiles', {})).rejects.toMatchObject({ code: 'ERR_MODEL' })
  })
})

describe('read-only collections', () => {
  it('leases can be listed, read and deleted but not created', async () => {
    const { client, mock } = await startMock()
    mock.store.create('leases', { Addr: '10.0.0.5', Token: 'mac', State: 'ACK' })
    expect((await client.getModel('leases', '10.0.0.5')).State).toBe('ACK')
    await expect(client.createModel('leases', { Addr: '10.0.0.6' })).rejects.toMatchObject({
      status: 405,
    })
    expect((await client.deleteModel('leases', '0A000005')).Token).toBe('mac')
  })

  it('interfaces', async () => {
    const { client } = await startMock()
    expect((await client.listModel('interfaces')).map((i) => i.Name)).toEqual(['lo'])
    expect((await client.getModel('interfaces', 'lo')).ActiveAddress).toBe('127.0.0.1')
    await expect(client.getModel('interfaces', 'eth9')).rejects.toMatchObject({
      messages: ['No interface'],
    })
  })
})

describe('iterateModel', () => {
  it('pages with offset/limit until a short page', async () => {
    const { client, mock } = await startMock()
    for (const n of ['a', 'b', 'c', 'd', 'e'])
      await client.createModel('profiles', { Name: `p-${n}` })
    const from = mock.requests.length
    const names: string[] = []
    for await (const p of client.iterateModel('profiles', {
      pageSize: 2,
      filter: filterBuilder().where('Name', 'Gte', 'p-b'),
    })) {
      names.push(p.Name!)
    }
    expect(names).toEqual(['p-b', 'p-c', 'p-d', 'p-e'])
    expect(seen(mock, from)).toEqual([
      'GET /api/v3/profiles?Name=Gte%28p-b%29&limit=2&offset=0',
      'GET /api/v3/profiles?Name=Gte%28p-b%29&limit=2&offset=2',
      'GET /api/v3/profiles?Name=Gte%28p-b%29&limit=2&offset=4',
    ])
  })

  it('refuses a filter that already has limit or offset', async () => {
    const { client } = await startMock()
    const it = client.iterateModel('profiles', { filter: ['limit', '3'] })
    await expect(it.next()).rejects.toBeInstanceOf(ModelError)
  })
})

it('ProvisionError carries the server message for a 422', async () => {
  const { client } = await startMock()
  const error = await client.createModel('profiles', { Name: '1bad' }).catch((e) => e)
  expect(error).toBeInstanceOf(ProvisionError)
  expect(error.message).toContain('Invalid Name `1bad`')
})
