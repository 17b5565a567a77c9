import { inspect } from 'node:util'
import { type AuthStrategy, createHttpClient, HttpError } from '@wharf/core-http'
import { type RunningServer, serve } from '@wharf/core-http/node'
import { HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { afterEach, describe, expect, it } from 'vitest'
import { AuthError, basicAuth, bearerToken, chain, mergeScopes, scopeFor } from '../src/index.js'
import { failure } from './support.js'

const servers: RunningServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

/** A server that records the Authorization header and accepts only `accept`. */
async function guarded(accept: (authorization: string | null) => boolean) {
  const seen: Array<string | null> = []
  const server = await serve((request) => {
    const authorization = request.headers.get('authorization')
    seen.push(authorization)
    return accept(authorization)
      ? Response.json({ ok: true })
      : new Response('no', { status: 401, headers: { 'www-authenticate': 'Bearer realm="x"' } })
  })
  servers.push(server)
  return { url: server.url, seen }
}

const basic = (user: string, pass: string) =>
  `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`

describe('basicAuth', () => {
  it('sends UTF-8 basic credentials to its origin only', async () => {
    const api = await guarded((a) => a === basic('zoë', 'pä55:word'))
    const other = await guarded(() => true)
    const client = createHttpClient({
      baseUrl: api.url,
      auth: basicAuth({ username: 'zoë', password: 'pä55:word' }),
    })
    expect(await client.json('/x')).toEqual({ ok: true })
    await client.json(`${other.url}/y`)
    expect(api.seen).toEqual([basic('zoë', 'pä55:word')])
    expect(other.seen).toEqual([null])
  })

  it('refuses plain HTTP to a non-loopback host unless allowed, and hides the password', async () => {
    const msw = setupServer(
      http.get('http://api.test/x', ({ request }) =>
        HttpResponse.json(request.headers.get('authorization')),
      ),
    )
    msw.listen({ onUnhandledRequest: 'error' })
    try {
      const auth = basicAuth({ username: 'u', password: 'hunter2-secret' })
      const error = await failure(createHttpClient({ baseUrl: 'http://api.test', auth }).json('/x'))
      expect(error).toBeInstanceOf(AuthError)
      expect(error.code).toBe('ERR_INSECURE_TRANSPORT')
      const allowed = basicAuth({ username: 'u', password: 'hunter2-secret', allowInsecure: true })
      expect(await createHttpClient({ baseUrl: 'http://api.test', auth: allowed }).json('/x')).toBe(
        basic('u', 'hunter2-secret'),
      )
      const shown = `${inspect(auth)} ${JSON.stringify(auth)} ${String(auth)} ${error.message}`
      expect(shown).not.toContain('hunter2')
      expect(shown).toContain('[REDACTED]')
    } finally {
      msw.close()
    }
  })
})

describe('bearerToken', () => {
  it('sends a fixed token and does not resend on 401', async () => {
    const api = await guarded(() => false)
    const client = createHttpClient({ baseUrl: api.url, auth: bearerToken('fixed-token') })
    const error = await failure(client.json('/x'))
    expect(error).toBeInstanceOf(HttpError)
    expect(api.seen).toEqual(['Bearer fixed-token'])
    expect(inspect(bearerToken('fixed-token'))).not.toContain('fixed-token')
  })

  it('calls a token function per request and resends once when the token rotated', async () => {
    const api = await guarded((a) => a === 'Bearer t2')
    let n = 0
    const client = createHttpClient({
      baseUrl: api.url,
      auth: bearerToken(async () => `t${Math.min(++n, 2)}`),
    })
    expect(await client.json('/x')).toEqual({ ok: true })
    expect(api.seen).toEqual(['Bearer t1', 'Bearer t2'])
  })

  it('does not resend when the token function returns the token that failed', async () => {
    const api = await guarded(() => false)
    const client = createHttpClient({ baseUrl: api.url, auth: bearerToken(async () => 'same') })
    await failure(client.json('/x'))
    expect(api.seen).toEqual(['Bearer same'])
  })
})

describe('chain', () => {
  it('uses the first strategy that authorizes, and the first challenge that resends', async () => {
    const api = await guarded((a) => a === 'Bearer second')
    const calls: string[] = []
    const none: AuthStrategy = {
      authorize: () => void calls.push('none'),
      challenge: () => (calls.push('none?'), false),
      close: () => void calls.push('close none'),
    }
    let second = false
    const flipping: AuthStrategy = {
      authorize(request) {
        calls.push('flip')
        request.headers.set('authorization', second ? 'Bearer second' : 'Bearer first')
      },
      challenge: () => (calls.push('flip?'), (second = true)),
      close: () => void calls.push('close flip'),
    }
    const never: AuthStrategy = { authorize: () => void calls.push('never') }
    const auth = chain(none, flipping, never)
    const client = createHttpClient({ baseUrl: api.url, auth })
    expect(await client.json('/x')).toEqual({ ok: true })
    await client.close()
    expect(api.seen).toEqual(['Bearer first', 'Bearer second'])
    expect(calls).toEqual([
      'none',
      'flip',
      'none?',
      'flip?',
      'none',
      'flip',
      'close none',
      'close flip',
    ])
  })
})

describe('scopes', () => {
  it('builds repository scopes', () => {
    expect(scopeFor('library/alpine', 'pull')).toBe('repository:library/alpine:pull')
    expect(scopeFor('a/b', ['pull', 'push', 'pull'])).toBe('repository:a/b:pull,push')
    expect(scopeFor('localhost:5000/a', 'pull,push')).toBe('repository:localhost:5000/a:pull,push')
  })

  it('merges scope lists per resource with sorted actions', () => {
    expect(
      mergeScopes(
        ['repository:a/b:pull', 'repository:c/d:pull'],
        'repository:a/b:push repository:localhost:5000/x:pull registry:catalog:*',
        undefined,
        ['junk', 'repository(plugin):a/b:delete', ':x:y', 'repository::pull'],
      ),
    ).toEqual([
      'registry:catalog:*',
      'repository:a/b:delete,pull,push',
      'repository:c/d:pull',
      'repository:localhost:5000/x:pull',
    ])
  })
})
