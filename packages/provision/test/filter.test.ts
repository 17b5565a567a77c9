import { beforeEach, describe, expect, it } from 'vitest'
import {
  filterBuilder,
  filterQuery,
  InvalidFilterError,
  type ProvisionClient,
  ProvisionError,
} from '../src/index.js'
import type { MockProvision } from '../src/mock/index.js'
import { startMock } from './helpers.js'

describe('filterQuery (the seed grammar)', () => {
  it.each([
    [['reverse'], 'reverse=true'],
    [['sort', 'Name', 'limit', '10', 'offset', '1'], 'limit=10&offset=1&sort=Name'],
    [['Name', 'eq', 'a b'], 'Name=Eq%28a+b%29'],
    [
      ['Name', 'Between', 'a', 'm', 'Runnable', 'Eq', 'true'],
      'Name=Between%28a%2Cm%29&Runnable=Eq%28true%29',
    ],
    [['Name', 'Ne', 'x', 'Name', 'Lte', 'c'], 'Name=Ne%28x%29&Name=Lte%28c%29'],
    [
      ['slim', 'Params,Meta', 'Address', 'Except', '10.0.0.1', '10.0.0.9'],
      'Address=Except%2810.0.0.1%2C10.0.0.9%29&slim=Params%2CMeta',
    ],
  ])('%j → %s', (args, expected) => {
    expect(filterQuery(...args).toString()).toBe(expected)
  })

  it.each([
    [['Name'], 'missing operator'],
    [['Name', 'Like', 'x'], 'unknown operator "Like"'],
    [['Name', 'Eq'], 'missing value'],
    [['Name', 'Between', 'a'], 'missing value'],
    [['Name', 'Eq', 'a,b'], 'contains "," or ")"'],
    [['limit'], 'missing number'],
    [['limit', '-1'], 'non-negative integer'],
    [['offset', 'x'], 'non-negative integer'],
    [['limit', '1', 'limit', '2'], 'limit given twice'],
    [['sort'], 'sort: missing value'],
    [['(bad', 'Eq', 'x'], 'bad index name'],
  ])('%j is refused: %s', (args, text) => {
    expect(() => filterQuery(...args)).toThrow(InvalidFilterError)
    expect(() => filterQuery(...args)).toThrow(text)
  })

  it('the typed builder produces the same query as the argument list', () => {
    const b = filterBuilder()
      .where('Runnable', 'Eq', true)
      .where('Name', 'Between', 'a', 'm')
      .sort('Name')
      .reverse()
      .offset(1)
      .limit(10)
    expect(b.args()).toEqual([
      'Runnable',
      'Eq',
      'true',
      'Name',
      'Between',
      'a',
      'm',
      'sort',
      'Name',
      'reverse',
      'offset',
      '1',
      'limit',
      '10',
    ])
    expect(b.query().toString()).toBe(filterQuery(...b.args()).toString())
    expect(() => filterBuilder().limit(-2)).toThrow(InvalidFilterError)
    expect(() => filterBuilder().where('limit', 'Eq', 1)).toThrow(InvalidFilterError)
  })
})

describe('server-side filtering', () => {
  let client: ProvisionClient
  let mock: MockProvision
  const names = async (...args: string[]) =>
    (await client.filter('machines', ...args)).map((m) => m.Name)

  beforeEach(async () => {
    ;({ client, mock } = await startMock())
    await client.createModel('params', { Name: 'ntp-on', Schema: { type: 'boolean' } })
    const rows: Array<[string, string, boolean]> = [
      ['alpha', '10.0.0.3', true],
      ['bravo', '10.0.0.20', false],
      ['charlie', '10.0.0.100', true],
      ['delta', '', true],
      ['echo', '192.168.0.1', false],
    ]
    for (const [n, Address, runnable] of rows) {
      const m = await client.createModel('machines', {
        Name: n,
        Address,
        Params: n === 'alpha' ? { 'ntp-on': true } : {},
      })
      if (!runnable)
        await client.patchModel('machines', m.Uuid!, [
          { op: 'replace', path: '/Runnable', value: false },
        ])
    }
  })

  it.each([
    [['Name', 'Eq', 'bravo'], ['bravo']],
    [
      ['Name', 'Between', 'b', 'd', 'sort', 'Name'],
      ['bravo', 'charlie'],
    ],
    [
      ['Name', 'Except', 'b', 'd', 'sort', 'Name'],
      ['alpha', 'delta', 'echo'],
    ],
    [
      ['Runnable', 'Eq', 'true', 'sort', 'Name', 'reverse'],
      ['delta', 'charlie', 'alpha'],
    ],
    [
      ['sort', 'Name', 'offset', '1', 'limit', '2'],
      ['bravo', 'charlie'],
    ],
    [
      ['sort', 'Name', 'limit', '2', 'offset', '1'],
      ['bravo', 'charlie'],
    ],
    [
      ['Address', 'Gt', '10.0.0.9', 'sort', 'Address'],
      ['bravo', 'charlie', 'echo'],
    ],
    [
      ['Address', 'Lt', '10.0.0.4', 'sort', 'Name'],
      ['alpha', 'delta'],
    ],
    [
      ['Name', 'Eq', 'alpha', 'Name', 'Eq', 'echo'],
      ['alpha', 'echo'],
    ],
    [['Name', 'Lt', 'c', 'Runnable', 'Eq', 'false'], ['bravo']],
    [['sort', 'Name', 'offset', '9'], []],
    [['sort', 'Name', 'limit', '0'], []],
    [['ntp-on', 'Eq', 'true'], ['alpha']],
  ])('%j → %j', async (args, expected) => {
    expect(await names(...args)).toEqual(expected)
  })

  it('HEAD returns both count headers', async () => {
    const response = await client
      .req()
      .head()
      .filter('machines', 'Runnable', 'Eq', 'true', 'limit', '2')
      .send()
    expect(response.headers.get('x-drp-list-total-count')).toBe('5')
    expect(response.headers.get('x-drp-list-count')).toBe('2')
  })

  it.each([
    [['Nope', 'Eq', 'x'], 'Filter not found: Nope'],
    [['Address', 'Eq', 'fred'], 'Invalid address: fred'],
    [['Runnable', 'Eq', 'yes'], 'Runnable must be true or false'],
    [['sort', 'Address2'], 'Not sortable: Address2'],
  ])('%j is a 406 naming the problem', async (args, text) => {
    const error = await client.filter('machines', ...args).catch((e) => e)
    expect(error).toBeInstanceOf(ProvisionError)
    expect(error).toMatchObject({ status: 406, type: 'GET', model: 'machines', messages: [text] })
  })

  it('slim empties Params', async () => {
    const [m] = await client.filter('machines', 'Name', 'Eq', 'alpha', 'slim', 'Params')
    expect(m!.Params).toEqual({})
    expect(mock.objects('machines').find((o) => o.Name === 'alpha')!.Params).toEqual({
      'ntp-on': true,
    })
  })
})

describe('indexes', () => {
  it('lists all indexes, one prefix, and one index', async () => {
    const { client } = await startMock()
    const all = await client.allIndexes()
    expect(Object.keys(all)).toContain('machines')
    expect(all).not.toHaveProperty('interfaces')
    const machines = await client.indexes('machines')
    expect(machines.Uuid).toEqual({ Type: 'UUID string', Unique: true })
    expect(machines.Runnable).toEqual({ Type: 'boolean', Unique: false })
    expect(machines.Key).toEqual({ Type: 'string', Unique: true })
    expect(await client.oneIndex('subnets', 'Subnet')).toEqual({
      Type: 'CIDR Address',
      Unique: true,
    })
    await expect(client.indexes('interfaces')).rejects.toMatchObject({
      status: 404,
      messages: ['index get: not found: interfaces'],
    })
  })
})
