import { fileURLToPath } from 'node:url'
import { HttpError, type HttpResponse } from '@wharf/core-http'
import { findNodeImports } from '@wharf/tooling/node-imports'
import { describe, expect, it } from 'vitest'
import { createSession, credentialsOf, dockerErrorParser, parseRateLimit } from '../src/index.js'

const dist = (file: string) => fileURLToPath(new URL(`../dist/${file}`, import.meta.url))
const response = (status: number) => ({ status, headers: new Headers() }) as HttpResponse

describe('portability', () => {
  it('the main entry and ./mock import no node: module; ./node does', () => {
    expect(findNodeImports(dist('index.js'))).toEqual([])
    expect(findNodeImports(dist('mock/index.js'))).toEqual([])
  })
})

describe('parseRateLimit', () => {
  it('reads Hub headers and their x- variants', () => {
    const hub = new Headers({
      'ratelimit-limit': '100;w=21600',
      'ratelimit-remaining': '20;w=21600',
      'docker-ratelimit-source': '192.0.2.1',
    })
    expect(parseRateLimit(hub)).toEqual({
      limit: 100,
      remaining: 20,
      window: 21600,
      source: '192.0.2.1',
    })
    expect(parseRateLimit(new Headers({ 'x-ratelimit-remaining': '7' }))).toEqual({ remaining: 7 })
    expect(parseRateLimit(new Headers())).toBeUndefined()
    expect(parseRateLimit(new Headers({ 'ratelimit-limit': 'lots' }))).toBeUndefined()
    const error = new HttpError({ status: 429, method: 'GET', url: 'http://x/', headers: hub })
    expect(parseRateLimit(error)?.remaining).toBe(20)
  })
})

describe('dockerErrorParser', () => {
  it('reads V1 {error}, token {details}, V2 envelopes and plain text', () => {
    expect(dockerErrorParser({ error: 'Image already exists' }, response(409))).toEqual([
      { code: 'CONFLICT', message: 'Image already exists' },
    ])
    expect(dockerErrorParser({ details: 'incorrect username or password' }, response(401))).toEqual(
      [{ code: 'UNAUTHORIZED', message: 'incorrect username or password' }],
    )
    expect(
      dockerErrorParser({ errors: [{ code: 'NAME_UNKNOWN', message: 'x' }] }, response(404)),
    ).toEqual([{ code: 'NAME_UNKNOWN', message: 'x', detail: undefined }])
    expect(dockerErrorParser('oops', response(500))).toEqual([{ code: 'UNKNOWN', message: 'oops' }])
    expect(dockerErrorParser(null, response(500))).toEqual([])
  })
})

describe('session credentials', () => {
  it('getAuthConfig shows the password and tokens only when asked', () => {
    const authConfig = { auth: btoa('alice:pw'), email: 'a@example.com', identityToken: 'tok' }
    const session = createSession('registry.example', { authConfig })
    expect(session.getAuthConfig()).toEqual({ username: 'alice', email: 'a@example.com' })
    expect(session.getAuthConfig(true)).toEqual(authConfig)
  })
})

describe('credentialsOf', () => {
  it('decodes auth, prefers explicit fields and refuses broken values', () => {
    expect(credentialsOf({ auth: btoa('alice:pa:ss\0\0') })).toEqual({
      username: 'alice',
      password: 'pa:ss',
    })
    expect(credentialsOf({ username: 'bob', password: 'pw', auth: btoa('x:y') })).toEqual({
      username: 'bob',
      password: 'pw',
    })
    expect(credentialsOf({ auth: btoa(':nouser') })).toBeUndefined()
    expect(credentialsOf({ auth: '!!!' })).toBeUndefined()
    expect(credentialsOf({ identityToken: 't' })).toBeUndefined()
    expect(credentialsOf(undefined)).toBeUndefined()
  })
})
