import { createHash } from 'node:crypto'
import { afterEach } from 'vitest'
import { createLibraryClient, type LibraryClientOptions } from '../src/index.js'
import { createMockLibrary, type MockLibraryOptions } from '../src/mock/index.js'

/** Deterministic pseudo-random bytes. */
export function bytesOf(size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size)
  let x = seed * 2654435761
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0
    out[i] = x >>> 24
  }
  return out
}

/** `sha256.<hex>` of bytes, with node:crypto (independent of the client and the mock). */
export function libraryHash(bytes: Uint8Array): string {
  return `sha256.${createHash('sha256').update(bytes).digest('hex')}`
}

const running: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const close of running.splice(0)) await close()
})

/** A mock library served over real HTTP on 127.0.0.1, and a client for it. */
export async function startLibrary(
  options: MockLibraryOptions = {},
  client: Omit<LibraryClientOptions, 'baseURL'> = {},
) {
  const mock = createMockLibrary(options)
  const server = await mock.listen()
  running.push(server.close)
  const library = createLibraryClient({ baseURL: server.url, retry: { delay: 10 }, ...client })
  running.push(() => library.close())
  const storageRequests = () => mock.requests.filter((r) => r.origin === 'storage')
  const libraryRequests = () => mock.requests.filter((r) => r.origin === 'library')
  return { mock, server, client: library, storageRequests, libraryRequests }
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected a rejection')
}
