import { NetworkError } from '@wharf/core-http'
import { describe, expect, it, vi } from 'vitest'
import { tokenSession } from '../src/index.js'
import { seen, startMock } from './helpers.js'

function refusingFetch(calls: number[]) {
  return async () => {
    calls.push(Date.now())
    throw new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    })
  }
}

describe('retries on refused or reset connections', () => {
  it('waits 1, 1, 2, 3, 5, 8 s between attempts (fake timers)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    try {
      const calls: number[] = []
      const client = tokenSession('http://127.0.0.1:9', 't', {
        fetch: refusingFetch(calls),
        timeout: false,
      })
      const result = client.info().catch((e) => e)
      await vi.advanceTimersByTimeAsync(25_000)
      const error = await result
      expect(error).toBeInstanceOf(NetworkError)
      expect(error.message).toContain('ECONNREFUSED')
      const waits = calls.slice(1).map((t, i) => t - calls[i]!)
      expect(waits).toEqual([1000, 1000, 2000, 3000, 5000, 8000])
    } finally {
      vi.useRealTimers()
    }
  })

  it('a real refused port is retried with the same schedule (scaled down)', async () => {
    const { createServer } = await import('node:net')
    const probe = createServer()
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r))
    const { port } = probe.address() as { port: number }
    await new Promise((r) => probe.close(r))
    const delays: number[] = []
    const client = tokenSession(`http://127.0.0.1:${port}`, 't', {
      retry: { delay: 2 },
      hooks: { beforeRetry: [({ delay }) => void delays.push(delay)] },
    })
    await expect(client.info()).rejects.toBeInstanceOf(NetworkError)
    expect(delays).toEqual([2, 2, 4, 6, 10, 16])
  })

  it('failFast sends one attempt only', async () => {
    const calls: number[] = []
    const client = tokenSession('http://127.0.0.1:9', 't', { fetch: refusingFetch(calls) })
    await expect(client.req().urlFor('info').failFast().do()).rejects.toBeInstanceOf(NetworkError)
    expect(calls.length).toBe(1)
  })

  it('a dropped connection on a real server is retried, for POST too', async () => {
    const { mock, client } = await startMock()
    const from = mock.requests.length
    mock.failNext(2)
    const created = await client.createModel('profiles', { Name: 'retried' })
    expect(created.Name).toBe('retried')
    expect(seen(mock, from)).toEqual(Array(3).fill('POST /api/v3/profiles'))
  })

  it('a dropped connection with failFast is a NetworkError after one attempt', async () => {
    const { mock, client } = await startMock()
    const from = mock.requests.length
    mock.failNext(1)
    await expect(client.req().urlFor('info').failFast().do()).rejects.toBeInstanceOf(NetworkError)
    expect(mock.requests.length - from).toBe(1)
  })

  it('a one-shot stream body is never retried', async () => {
    const { mock, client } = await startMock()
    const from = mock.requests.length
    mock.failNext(1)
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new Uint8Array([1, 2]))
        c.close()
      },
    })
    await expect(client.req().post(body).urlFor('files', 'once').do()).rejects.toBeInstanceOf(
      NetworkError,
    )
    expect(mock.requests.length - from).toBe(1)
  })

  it('HTTP error statuses are not retried', async () => {
    const { mock, client } = await startMock()
    const from = mock.requests.length
    await expect(client.getModel('machines', 'missing')).rejects.toMatchObject({ status: 404 })
    expect(mock.requests.length - from).toBe(1)
  })
})
