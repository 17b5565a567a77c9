import { fileURLToPath } from 'node:url'
import { findNodeImports } from '@wharf/tooling/node-imports'
import { describe, expect, it } from 'vitest'
import {
  backoffDelay,
  HttpError,
  isHttpError,
  NetworkError,
  parseLinkHeader,
  parseRetryAfter,
  redactSecrets,
  redactUrl,
  resolveRetry,
  WharfError,
} from '../src/index.js'

describe('parseLinkHeader', () => {
  it.each([
    [
      '</v2/r/tags/list?n=2&last=b>; rel="next"',
      [{ uri: 'http://r.test/v2/r/tags/list?n=2&last=b', rel: ['next'], params: {} }],
    ],
    [
      '<https://o.test/x>; rel=next; title="a, b;c"',
      [{ uri: 'https://o.test/x', rel: ['next'], params: { title: 'a, b;c' } }],
    ],
    [
      '<a>; rel="prev next", <b>; REL=last',
      [
        { uri: 'http://r.test/v2/a', rel: ['prev', 'next'], params: {} },
        { uri: 'http://r.test/v2/b', rel: ['last'], params: {} },
      ],
    ],
    ['garbage, <c>; rel="next"', [{ uri: 'http://r.test/v2/c', rel: ['next'], params: {} }]],
    ['', []],
    ['<unterminated; rel=next', []],
  ])('%s', (header, expected) => {
    expect(parseLinkHeader(header, 'http://r.test/v2/')).toEqual(expected)
  })
})

describe('retry timing', () => {
  it('parses Retry-After as seconds or HTTP date, ignoring junk', () => {
    const now = Date.parse('2026-01-01T00:00:00Z')
    expect(parseRetryAfter('120', now)).toBe(120_000)
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000)
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0)
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect(parseRetryAfter(null, now)).toBeUndefined()
  })

  it('grows exponential waits with jitter inside bounds and caps them', () => {
    const policy = resolveRetry({ delay: 100, maxDelay: 1000 })
    for (let retry = 1; retry <= 8; retry++) {
      const ceiling = Math.min(1000, 100 * 2 ** (retry - 1))
      const wait = backoffDelay(policy, retry)
      expect(wait).toBeGreaterThanOrEqual(ceiling / 2)
      expect(wait).toBeLessThanOrEqual(ceiling)
    }
  })
})

describe('redaction', () => {
  it('redacts credentials in URLs and text', () => {
    expect(redactUrl('https://u:p@s3.test/b?X-Amz-Signature=abc&X-Amz-Credential=k&part=1')).toBe(
      'https://[REDACTED]:[REDACTED]@s3.test/b?X-Amz-Signature=[REDACTED]&X-Amz-Credential=[REDACTED]&part=1',
    )
    const text = redactSecrets(
      'Authorization: Bearer eyJhbGciOi.payload.sig token=abc&access_token=def password=hunter2',
    )
    expect(text).not.toMatch(/eyJhbGciOi|abc|def|hunter2/)
  })
})

describe('errors', () => {
  it('recognises errors from another copy of the package by brand', () => {
    const foreign = new Error('from another copy')
    Object.defineProperty(foreign, Symbol.for('wharf.error.kinds'), {
      value: ['HttpError', 'WharfError'],
    })
    expect(foreign instanceof HttpError).toBe(true)
    expect(foreign instanceof WharfError).toBe(true)
    expect(foreign instanceof NetworkError).toBe(false)
    const net = new NetworkError('x')
    expect(net instanceof HttpError).toBe(false)
    expect(isHttpError(net)).toBe(false)
  })

  it('re-types an HttpError into a subclass with the same details', () => {
    class RegistryFailure extends HttpError {}
    const original = new HttpError({
      status: 404,
      method: 'GET',
      url: 'https://r.test/v2/x?token=abc',
      headers: new Headers({ 'x-a': '1' }),
      body: { errors: [] },
      errors: [{ code: 'NAME_UNKNOWN', message: 'unknown' }],
    })
    const typed = new RegistryFailure(original.toInit(), 'ERR_NAME_UNKNOWN')
    expect(typed).toBeInstanceOf(HttpError)
    expect(typed.code).toBe('ERR_NAME_UNKNOWN')
    expect(typed.message).toBe(original.message)
    expect([typed.status, typed.url, typed.headers.get('x-a'), typed.errors]).toEqual([
      404,
      original.url,
      '1',
      original.errors,
    ])
  })

  it('never puts secrets into messages', () => {
    const e = new WharfError(
      'ERR_X',
      'failed with Basic dXNlcjpwYXNzd29yZA== at https://h/x?token=zzz',
    )
    expect(e.message).not.toMatch(/dXNlcjpwYXNzd29yZA|zzz/)
  })
})

describe('portability', () => {
  it('keeps the main and mock entries free of node: modules', () => {
    const dist = (f: string) => fileURLToPath(new URL(`../dist/${f}`, import.meta.url))
    expect(findNodeImports(dist('index.js'))).toEqual([])
    expect(findNodeImports(dist('mock.js'))).toEqual([])
    expect(findNodeImports(dist('node/index.js')).length).toBeGreaterThan(0)
  })
})
