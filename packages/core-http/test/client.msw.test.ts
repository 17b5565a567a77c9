import { http, HttpResponse as MswResponse } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  AbortError,
  type AuthStrategy,
  BodyTooLargeError,
  createHttpClient,
  HttpError,
  NetworkError,
  ParseError,
  RedirectError,
  replayableBody,
  WharfError,
} from '../src/index.js'

const A = 'http://registry.test'
const B = 'http://storage.test'
const server = setupServer()
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => server.resetHandlers())
afterAll(() => server.close())

const bearer = (token: string): AuthStrategy => ({
  authorize(request) {
    request.headers.set('authorization', `Bearer ${token}`)
  },
})
const fast = { delay: 1, jitter: false }

describe('retries', () => {
  it('retries 503 until success and counts attempts', async () => {
    let seen = 0
    server.use(
      http.get(`${A}/flaky`, () =>
        ++seen < 3 ? new MswResponse(null, { status: 503 }) : MswResponse.json({ ok: true }),
      ),
    )
    const client = createHttpClient({ baseUrl: A, retry: fast })
    expect(await client.json('/flaky')).toEqual({ ok: true })
    expect(seen).toBe(3)
  })

  it('stops at the limit and throws the last HttpError', async () => {
    let seen = 0
    server.use(http.get(`${A}/down`, () => (seen++, new MswResponse('down', { status: 502 }))))
    const client = createHttpClient({ baseUrl: A, retry: { ...fast, limit: 3 } })
    const error = await client.request('/down').catch((e) => e)
    expect(error).toBeInstanceOf(HttpError)
    expect(error.status).toBe(502)
    expect(seen).toBe(4)
  })

  it('does not retry POST or failFast requests, nor statuses outside the policy', async () => {
    let seen = 0
    server.use(http.all(`${A}/x`, () => (seen++, new MswResponse(null, { status: 503 }))))
    server.use(http.get(`${A}/nf`, () => (seen++, new MswResponse(null, { status: 404 }))))
    const client = createHttpClient({ baseUrl: A, retry: fast })
    await expect(client.request('/x', { method: 'POST' })).rejects.toThrow(HttpError)
    expect(seen).toBe(1)
    await expect(client.request('/x', { failFast: true })).rejects.toThrow(HttpError)
    expect(seen).toBe(2)
    await expect(client.request('/nf')).rejects.toMatchObject({ status: 404 })
    expect(seen).toBe(3)
  })

  it('honours Retry-After in seconds and as an HTTP date', async () => {
    const times: number[] = []
    server.use(
      http.get(`${A}/limited`, () => {
        times.push(Date.now())
        return times.length === 1
          ? new MswResponse(null, { status: 429, headers: { 'retry-after': '1' } })
          : times.length === 2
            ? new MswResponse(null, {
                status: 503,
                headers: { 'retry-after': new Date(Date.now() + 2000).toUTCString() },
              })
            : MswResponse.json({})
      }),
    )
    const client = createHttpClient({ baseUrl: A, retry: fast })
    await client.request('/limited')
    expect(times).toHaveLength(3)
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(950)
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(900)
  })

  it('gives up at once when Retry-After exceeds the cap', async () => {
    let seen = 0
    server.use(
      http.get(
        `${A}/later`,
        () => (seen++, new MswResponse(null, { status: 429, headers: { 'retry-after': '3600' } })),
      ),
    )
    const client = createHttpClient({ baseUrl: A, retry: { ...fast, maxRetryAfter: 5000 } })
    await expect(client.request('/later')).rejects.toMatchObject({ status: 429 })
    expect(seen).toBe(1)
  })

  it('waits 1, 1, 2, 3, 5, 8 units with fibonacci backoff', async () => {
    server.use(http.get(`${A}/fib`, () => new MswResponse(null, { status: 500 })))
    const delays: number[] = []
    const client = createHttpClient({
      baseUrl: A,
      retry: { limit: 6, backoff: 'fibonacci', delay: 5 },
      hooks: { beforeRetry: [({ delay }) => void delays.push(delay)] },
    })
    await expect(client.request('/fib')).rejects.toThrow(HttpError)
    expect(delays).toEqual([5, 5, 10, 15, 25, 40])
  })

  it('replays a replayable body on retry but never a one-shot stream', async () => {
    const bodies: string[] = []
    server.use(
      http.put(`${A}/up`, async ({ request }) => {
        bodies.push(await request.text())
        return bodies.length % 2 === 1
          ? new MswResponse(null, { status: 503 })
          : new MswResponse(null, { status: 201 })
      }),
    )
    const client = createHttpClient({ baseUrl: A, retry: fast })
    const bytes = new TextEncoder().encode('hello')
    const res = await client.request('/up', {
      method: 'PUT',
      body: replayableBody(() => new Blob([bytes]).stream(), 5),
    })
    expect(res.status).toBe(201)
    expect(bodies).toEqual(['hello', 'hello'])
    await expect(
      client.request('/up', { method: 'PUT', body: new Blob([bytes]).stream() }),
    ).rejects.toMatchObject({ status: 503 })
    expect(bodies).toEqual(['hello', 'hello', 'hello'])
  })

  it('retries a dropped connection for GET, not for POST', async () => {
    let seen = 0
    server.use(
      http.all(`${A}/drop`, () =>
        ++seen === 1 || seen === 3 ? MswResponse.error() : MswResponse.json({ seen }),
      ),
    )
    const client = createHttpClient({ baseUrl: A, retry: fast })
    expect(await client.json('/drop')).toEqual({ seen: 2 })
    await expect(client.request('/drop', { method: 'POST' })).rejects.toBeInstanceOf(NetworkError)
    expect(seen).toBe(3)
  })
})

describe('redirects', () => {
  it('drops credentials when a redirect leaves the origin, keeps them on the same origin', async () => {
    const seenB: Headers[] = []
    const seenA: Headers[] = []
    server.use(
      http.get(`${A}/v2/blob`, () => MswResponse.redirect(`${B}/signed?X-Amz-Signature=abc`, 307)),
      http.get(`${A}/v2/moved`, () => MswResponse.redirect(`${A}/v2/here`, 302)),
      http.get(
        `${A}/v2/here`,
        ({ request }) => (seenA.push(request.headers), MswResponse.json({ here: true })),
      ),
      http.get(
        `${B}/signed`,
        ({ request }) => (seenB.push(request.headers), new MswResponse('blob')),
      ),
    )
    const client = createHttpClient({
      baseUrl: A,
      headers: { cookie: 'session=1', 'x-custom': 'kept' },
      auth: bearer('secret-token'),
    })
    const res = await client.request('/v2/blob')
    expect(await res.text()).toBe('blob')
    expect(res.redirected).toBe(true)
    expect(seenB[0]!.get('authorization')).toBeNull()
    expect(seenB[0]!.get('cookie')).toBeNull()
    expect(seenB[0]!.get('x-custom')).toBe('kept')
    await client.json('/v2/moved')
    expect(seenA[0]!.get('authorization')).toBe('Bearer secret-token')
  })

  it('keeps method and body on 307 when replayable, switches to GET on 303', async () => {
    const seen: string[] = []
    server.use(
      http.post(`${A}/a`, () => MswResponse.redirect(`${A}/b`, 307)),
      http.post(
        `${A}/b`,
        async ({ request }) => (
          seen.push(`POST ${await request.text()}`), new MswResponse(null, { status: 201 })
        ),
      ),
      http.post(`${A}/c`, () => MswResponse.redirect(`${A}/d`, 303)),
      http.get(`${A}/d`, () => (seen.push('GET d'), MswResponse.json({}))),
    )
    const client = createHttpClient({ baseUrl: A })
    expect((await client.request('/a', { method: 'POST', body: 'payload' })).status).toBe(201)
    expect((await client.request('/c', { method: 'POST', body: 'payload' })).status).toBe(200)
    expect(seen).toEqual(['POST payload', 'GET d'])
    await expect(
      client.request('/a', { method: 'POST', body: new Blob(['x']).stream() }),
    ).rejects.toBeInstanceOf(RedirectError)
  })

  it('stops after 10 hops and refuses non-http schemes', async () => {
    let hops = 0
    server.use(
      http.get(`${A}/loop`, () => (hops++, MswResponse.redirect(`${A}/loop`, 302))),
      http.get(`${A}/file`, () => MswResponse.redirect('file:///etc/passwd', 302)),
    )
    const client = createHttpClient({ baseUrl: A })
    await expect(client.request('/loop')).rejects.toMatchObject({ code: 'ERR_REDIRECT' })
    expect(hops).toBe(11)
    await expect(client.request('/file')).rejects.toThrow(/file:/)
  })

  it('returns the 3xx when asked not to follow', async () => {
    server.use(http.get(`${A}/r`, () => MswResponse.redirect(`${B}/x`, 302)))
    const res = await createHttpClient({ baseUrl: A }).request('/r', { followRedirects: false })
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe(`${B}/x`)
  })
})

describe('bodies', () => {
  it('fails with BodyTooLargeError past the JSON limit, declared or not', async () => {
    const big = JSON.stringify({ data: 'x'.repeat(5000) })
    server.use(
      http.get(
        `${A}/declared`,
        () => new MswResponse(big, { headers: { 'content-length': String(big.length) } }),
      ),
      http.get(`${A}/chunked`, () => new MswResponse(new Blob([big]).stream())),
    )
    const client = createHttpClient({ baseUrl: A, bodyLimit: 1024 })
    await expect(client.json('/declared')).rejects.toBeInstanceOf(BodyTooLargeError)
    await expect(client.json('/chunked')).rejects.toMatchObject({
      code: 'ERR_BODY_TOO_LARGE',
      limit: 1024,
    })
    expect(await createHttpClient({ baseUrl: A }).json('/chunked')).toEqual(JSON.parse(big))
  })

  it('reports malformed JSON as ParseError naming the request', async () => {
    server.use(
      http.get(
        `${A}/bad`,
        () => new MswResponse('{"a":', { headers: { 'content-type': 'application/json' } }),
      ),
    )
    const error: any = await createHttpClient({ baseUrl: A })
      .json('/bad')
      .catch((e: ParseError) => e)
    expect(error).toBeInstanceOf(ParseError)
    expect(error.message).toContain(`GET ${A}/bad`)
  })

  it('sends JSON with its content type and the User-Agent', async () => {
    let seen: Request | undefined
    let body: unknown
    server.use(
      http.post(
        `${A}/j`,
        async ({ request }) => (
          (seen = request), (body = await request.json()), MswResponse.json({})
        ),
      ),
    )
    await createHttpClient({ baseUrl: A, userAgent: 'wharf-test/1.0' }).request('/j', {
      method: 'POST',
      json: { a: 1 },
    })
    expect(body).toEqual({ a: 1 })
    expect(seen!.headers.get('content-type')).toBe('application/json')
    expect(seen!.headers.get('user-agent')).toBe('wharf-test/1.0')
  })
})

describe('abort', () => {
  it('aborts a request in flight with AbortError', async () => {
    let reached = false
    server.use(
      http.get(
        `${A}/slow`,
        async () => (
          (reached = true), await new Promise((r) => setTimeout(r, 5000)), MswResponse.json({})
        ),
      ),
    )
    const controller = new AbortController()
    const pending = createHttpClient({ baseUrl: A }).request('/slow', { signal: controller.signal })
    setTimeout(() => controller.abort(), 50)
    const error = await pending.catch((e) => e)
    expect(error).toBeInstanceOf(AbortError)
    expect(error.code).toBe('ERR_ABORTED')
    expect(reached).toBe(true)
  })

  it('does not retry after an abort', async () => {
    let seen = 0
    server.use(http.get(`${A}/s503`, () => (seen++, new MswResponse(null, { status: 503 }))))
    const controller = new AbortController()
    const client = createHttpClient({
      baseUrl: A,
      retry: { delay: 10_000, jitter: false },
      hooks: { beforeRetry: [() => void controller.abort()] },
    })
    await expect(client.request('/s503', { signal: controller.signal })).rejects.toBeInstanceOf(
      AbortError,
    )
    expect(seen).toBe(1)
  })
})

describe('errors', () => {
  it('keeps the server message and codes and never the credentials', async () => {
    server.use(
      http.get(`${A}/v2/x/manifests/latest`, () =>
        MswResponse.json(
          {
            errors: [
              { code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: 'latest' } },
            ],
          },
          { status: 404, headers: { 'www-authenticate': 'Bearer realm="x"' } },
        ),
      ),
    )
    expect(() => createHttpClient({ baseUrl: 'http://user:pw@registry.test' })).toThrow(
      /\[REDACTED\]/,
    )
    const client = createHttpClient({ baseUrl: A, auth: bearer('sekrit-token-123') })
    const error = await client.request('/v2/x/manifests/latest?token=abcdef').catch((e) => e)
    expect(error).toBeInstanceOf(HttpError)
    expect(error).toBeInstanceOf(WharfError)
    expect(error.errors).toEqual([
      { code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: 'latest' } },
    ])
    expect(error.hasCode('MANIFEST_UNKNOWN')).toBe(true)
    expect(error.message).toContain('404')
    expect(error.message).toContain('MANIFEST_UNKNOWN: manifest unknown')
    const everything = `${error.message} ${error.url} ${JSON.stringify([...error.headers])} ${error.stack}`
    expect(everything).not.toContain('abcdef')
    expect(everything).not.toContain('sekrit')
    expect(everything).not.toContain(':pw@')
  })

  it('uses the registered protocol error parser', async () => {
    server.use(
      http.get(`${A}/cs`, () =>
        MswResponse.json({ Message: 'not found', Code: 'not found' }, { status: 404 }),
      ),
    )
    const client = createHttpClient({
      baseUrl: A,
      errorParser: (body: any) => [{ code: body.Code, message: body.Message }],
    })
    await expect(client.request('/cs')).rejects.toMatchObject({
      errors: [{ code: 'not found', message: 'not found' }],
    })
  })

  it('cuts an endless error body at the limit', async () => {
    server.use(
      http.get(`${A}/endless`, () => {
        const chunk = new Uint8Array(16 * 1024).fill(65)
        let sent = 0
        const stream = new ReadableStream({
          pull(c) {
            if (sent++ > 100_000) return c.close()
            c.enqueue(chunk)
          },
        })
        return new MswResponse(stream, { status: 500, headers: { 'content-type': 'text/plain' } })
      }),
    )
    const client = createHttpClient({ baseUrl: A, retry: 0, errorBodyLimit: 1000 })
    const error = await client.request('/endless').catch((e: HttpError) => e)
    expect(error.status).toBe(500)
    expect(error.body).toHaveLength(1000)
  })

  it('lets onError hooks replace the error', async () => {
    class Special extends WharfError {}
    server.use(http.get(`${A}/nf`, () => new MswResponse(null, { status: 404 })))
    const client = createHttpClient({
      baseUrl: A,
      hooks: {
        onError: [
          (e) =>
            e instanceof HttpError && e.status === 404
              ? new Special('ERR_SPECIAL', 'gone')
              : undefined,
        ],
      },
    })
    await expect(client.request('/nf')).rejects.toBeInstanceOf(Special)
  })
})

describe('auth', () => {
  it('retries once after a challenge the strategy accepts, and never sends auth to other origins', async () => {
    const seen: Array<string | null> = []
    let token = 'old-token-000'
    server.use(
      http.get(`${A}/p`, ({ request }) => {
        seen.push(request.headers.get('authorization'))
        return request.headers.get('authorization') === 'Bearer new-token-111'
          ? MswResponse.json({})
          : new MswResponse(null, { status: 401 })
      }),
      http.get(
        `${B}/q`,
        ({ request }) => (seen.push(request.headers.get('authorization')), MswResponse.json({})),
      ),
    )
    const auth: AuthStrategy = {
      authorize: (r) => void r.headers.set('authorization', `Bearer ${token}`),
      challenge: () => {
        if (token !== 'old-token-000') return false
        token = 'new-token-111'
        return true
      },
    }
    const client = createHttpClient({ baseUrl: A, auth })
    await client.request('/p')
    expect(seen).toEqual(['Bearer old-token-000', 'Bearer new-token-111'])
    token = 'x'
    await expect(client.request('/p')).rejects.toMatchObject({ status: 401 })
    await client.request(`${B}/q`)
    expect(seen.at(-1)).toBeNull()
  })
})

describe('pagination', () => {
  it('follows relative Link headers and stops at maxPages', async () => {
    server.use(
      http.get(`${A}/v2/r/tags/list`, ({ request }) => {
        const last = new URL(request.url).searchParams.get('last')
        const page = last ? Number(last) + 1 : 1
        const headers: Record<string, string> =
          page < 3 ? { link: `</v2/r/tags/list?n=1&last=${page}>; rel="next"` } : {}
        return MswResponse.json({ tags: [`t${page}`] }, { headers })
      }),
    )
    const client = createHttpClient({ baseUrl: A })
    const tags: string[] = []
    for await (const page of client.paginate('/v2/r/tags/list', { searchParams: { n: 1 } })) {
      tags.push(...(await page.json<{ tags: string[] }>()).tags)
    }
    expect(tags).toEqual(['t1', 't2', 't3'])
    const limited = async () => {
      for await (const _ of client.paginate('/v2/r/tags/list', { maxPages: 2 })) {
      }
    }
    await expect(limited()).rejects.toMatchObject({ code: 'ERR_PAGINATION' })
  })
})

describe('extend', () => {
  it('merges headers and hooks into a derived client', async () => {
    let seen: Headers | undefined
    const calls: string[] = []
    server.use(
      http.get(`${A}/h`, ({ request }) => ((seen = request.headers), MswResponse.json({}))),
    )
    const base = createHttpClient({
      baseUrl: A,
      headers: { 'x-a': '1' },
      hooks: { beforeRequest: [() => void calls.push('base')] },
    })
    const child = base.extend({
      headers: { 'x-b': '2' },
      hooks: { beforeRequest: [() => void calls.push('child')] },
    })
    await child.request('/h')
    expect(seen!.get('x-a')).toBe('1')
    expect(seen!.get('x-b')).toBe('2')
    expect(calls).toEqual(['base', 'child'])
  })
})

describe('debug logging', () => {
  it('logs one redacted line per request and response', async () => {
    server.use(http.get(`${A}/d`, () => MswResponse.json({})))
    const lines: string[] = []
    const client = createHttpClient({
      baseUrl: A,
      auth: bearer('debug-secret-1'),
      debug: (l) => void lines.push(l),
    })
    await client.request('/d?access_token=leaky&n=1')
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(/^→ GET http:\/\/registry\.test\/d\?access_token=\[REDACTED\]&n=1$/)
    expect(lines[1]).toMatch(/^← 200 /)
    expect(lines.join('\n')).not.toMatch(/leaky|debug-secret/)
  })
})
