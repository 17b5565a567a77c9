import { describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { createMockProvision } from '../../src/mock/index.js'
import { onCleanup } from '../helpers.js'

async function start() {
  const mock = createMockProvision()
  const server = await mock.listen()
  onCleanup(() => server.close())
  const basic = `Basic ${btoa('rocketskates:r0cketsk8ts')}`
  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}/api/v3/${path}`, {
      ...init,
      headers: { authorization: basic, ...init.headers },
    })
  return { mock, server, call }
}

describe('mock dr-provision over real HTTP', () => {
  it.each([
    ['no credentials', {}, 401],
    ['malformed basic', { authorization: 'Basic !!!' }, 401],
    ['another scheme', { authorization: 'Digest x' }, 401],
    ['wrong password', { authorization: `Basic ${btoa('rocketskates:nope')}` }, 403],
    ['unknown token', { authorization: 'Bearer nope' }, 403],
  ])('%s → %i with an empty body', async (_n, headers, status) => {
    const { server } = await start()
    const response = await fetch(`${server.url}/api/v3/info`, { headers })
    expect(response.status).toBe(status)
    expect(await response.text()).toBe('')
  })

  it('accepts ?token=user:pass and ?token=<token>', async () => {
    const { server, mock } = await start()
    expect((await fetch(`${server.url}/api/v3/info?token=rocketskates:r0cketsk8ts`)).status).toBe(
      200,
    )
    const token = mock.auth.issue('rocketskates', 60)
    expect((await fetch(`${server.url}/api/v3/info?token=${token}`)).status).toBe(200)
  })

  it('rejects JSON bodies with another content type, wrong methods and unknown routes', async () => {
    const { call } = await start()
    const bad = await call('profiles', {
      method: 'POST',
      body: '{"Name":"x"}',
      headers: { 'content-type': 'text/plain' },
    })
    expect(bad.status).toBe(400)
    expect((await bad.json()).Messages).toEqual(['Invalid content type: text/plain'])
    expect((await call('info', { method: 'DELETE' })).status).toBe(405)
    expect(await (await call('nothing')).json()).toMatchObject({
      Messages: ['No route'],
      Code: 404,
    })
  })

  it('answers HEAD on a collection with the count headers and no body', async () => {
    const { call } = await start()
    const response = await call('bootenvs?OnlyUnknown=true', { method: 'HEAD' })
    expect(response.status).toBe(200)
    expect(response.headers.get('x-drp-list-total-count')).toBe('2')
    expect(response.headers.get('x-drp-list-count')).toBe('1')
  })

  it('reads and validates prefs, publishing a save per stored pref', async () => {
    const { call, mock } = await start()
    expect((await (await call('prefs')).json()).defaultStage).toBe('none')
    const json = { 'content-type': 'application/json' }
    const set = await call('prefs', {
      method: 'POST',
      headers: json,
      body: '{"defaultStage":"local"}',
    })
    expect(set.status).toBe(201)
    expect(mock.events.at(-1)).toMatchObject({
      Type: 'preferences',
      Action: 'save',
      Key: 'defaultStage',
    })
    const bad = await call('prefs', { method: 'POST', headers: json, body: '{"nope":"1"}' })
    expect((await bad.json()).Messages).toEqual(['Unknown Preference nope'])
  })

  it('speaks the websocket register/deregister protocol with acks', async () => {
    const { server, mock } = await start()
    const ws = new WebSocket(
      `${server.url.replace('http', 'ws')}/api/v3/ws?token=rocketskates:r0cketsk8ts`,
    )
    onCleanup(() => ws.terminate())
    const frames: any[] = []
    ws.on('message', (d) => frames.push(JSON.parse(String(d))))
    await new Promise((r) => ws.once('open', r))
    mock.publish({ Type: 'custom', Action: 'early', Key: 'k' })
    ws.send('hello there')
    ws.send('  register custom.*.k  ')
    await expect.poll(() => frames.length).toBe(1)
    mock.publish({ Type: 'custom', Action: 'late', Key: 'k' })
    mock.publish({ Type: 'custom', Action: 'late', Key: 'other' })
    ws.send('deregister custom.*.k')
    await expect.poll(() => frames.length).toBe(3)
    expect(frames.map((f) => [f.Type, f.Action, f.Key])).toEqual([
      ['websocket', 'register', 'custom.*.k'],
      ['custom', 'late', 'k'],
      ['websocket', 'deregister', 'custom.*.k'],
    ])
    expect(frames[0].Object).toBeNull()
  })

  it('refuses a websocket without credentials', async () => {
    const { server } = await start()
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/v3/ws`)
    const error = await new Promise<Error>((r) => ws.once('error', r))
    expect(error.message).toContain('401')
  })
})
