import { Readable } from 'node:stream'
import type { FetchLike } from '@wharf/core-http'
import { createDispatcher, createNodeFetch, type NodeFetchOptions } from '@wharf/core-http/node'

const NULL_BODY = new Set([101, 103, 204, 205, 304])

type UndiciBody = Readable & { dump?: () => Promise<void> }

function toWebBody(body: UndiciBody): ReadableStream<Uint8Array> {
  const chunks = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await chunks.next()
        if (done) controller.close()
        else controller.enqueue(new Uint8Array(value.buffer, value.byteOffset, value.byteLength))
      },
      cancel() {
        // Closes the connection; the reader already has its reason.
        body.on('error', () => {})
        body.destroy()
      },
    },
    { highWaterMark: 0 },
  )
}

function toNodeBody(body: unknown): string | Uint8Array | Readable | null | undefined {
  if (body === undefined || body === null) return null
  if (typeof body === 'string' || body instanceof Uint8Array) return body
  if (body instanceof ArrayBuffer) return new Uint8Array(body)
  if (body instanceof ReadableStream) return Readable.fromWeb(body as never)
  if (body instanceof Blob) return Readable.fromWeb(body.stream() as never)
  if (body instanceof URLSearchParams) return body.toString()
  return undefined
}

/**
 * A `fetch` for `createHttpClient({ fetch })` that moves bytes with undici's `request` instead
 * of undici's `fetch`: about twice the throughput for bulk bodies on Node. It never follows
 * redirects itself, so core-http's redirect, credential and error rules apply unchanged.
 * Honours the same proxy and TLS options as core-http's `createNodeFetch`. Request bodies it
 * cannot stream natively (FormData) go through undici's fetch.
 */
export function createFastFetch(options: NodeFetchOptions = {}): FetchLike {
  let dispatcher: ReturnType<typeof createDispatcher> | undefined
  let fallback: FetchLike | undefined
  return async (input, init = {}) => {
    const request = input instanceof Request ? input : undefined
    const url = new URL(request ? request.url : String(input))
    const body = toNodeBody(init.body ?? request?.body)
    const method = (init.method ?? request?.method ?? 'GET').toUpperCase()
    if (body === undefined) {
      fallback ??= createNodeFetch(options)
      return fallback(input, init)
    }
    const headers: Record<string, string> = {}
    new Headers(init.headers ?? request?.headers).forEach((value, name) => {
      headers[name] = value
    })
    if (init.body instanceof URLSearchParams && !headers['content-type']) {
      headers['content-type'] = 'application/x-www-form-urlencoded;charset=UTF-8'
    }
    const signal = (init.signal ?? request?.signal) as AbortSignal | undefined
    dispatcher ??= createDispatcher(options)
    const response = await (await dispatcher).request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: method as never,
      headers,
      body,
      ...(signal ? { signal } : {}),
      highWaterMark: 256 * 1024,
    })
    const responseHeaders = new Headers()
    for (const [name, value] of Object.entries(response.headers)) {
      if (Array.isArray(value)) for (const v of value) responseHeaders.append(name, v)
      else if (value !== undefined) responseHeaders.append(name, value)
    }
    const empty = NULL_BODY.has(response.statusCode) || method === 'HEAD'
    if (empty) await (response.body as UndiciBody).dump?.()
    return new Response(empty ? null : toWebBody(response.body as UndiciBody), {
      status: response.statusCode,
      statusText: response.statusText,
      headers: responseHeaders,
    })
  }
}
