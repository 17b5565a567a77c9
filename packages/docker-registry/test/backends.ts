import { setupServer } from 'msw/node'
import { createMockDockerRegistry, type MockDockerRegistryOptions } from '../src/mock/index.js'

/** One way of reaching the mock: msw interception or a real HTTP server on 127.0.0.1. */
export interface Backend {
  mock: ReturnType<typeof createMockDockerRegistry>
  url: string
  close(): Promise<void>
}

/** A loopback name, so credentials may travel over plain HTTP as they do to 127.0.0.1. */
export const MSW_ORIGIN = 'http://registry.localhost'
const msw = setupServer()
let mswListening = false

/** Starts the mock behind msw (origin `http://registry.mock`) or on a real socket. */
export async function startMock(
  kind: 'msw' | 'http',
  given: MockDockerRegistryOptions = {},
): Promise<Backend> {
  const options = { origin: MSW_ORIGIN, storageOrigin: 'http://storage.localhost', ...given }
  const mock = createMockDockerRegistry(options)
  if (kind === 'http') {
    // Real-socket runs go without msw's interceptor in the way.
    if (mswListening) msw.close()
    mswListening = false
    const server = await mock.listen()
    return { mock, url: server.url, close: () => server.close() }
  }
  if (!mswListening) {
    // A real server started meanwhile passes through; anything else unhandled is a test bug.
    msw.listen({
      onUnhandledRequest: (request, print) => {
        if (new URL(request.url).hostname !== '127.0.0.1') print.error()
      },
    })
    mswListening = true
  }
  msw.resetHandlers(...mock.handlers())
  return {
    mock,
    url: new URL(options.origin).origin,
    close: async () => {
      msw.resetHandlers()
    },
  }
}

export const KINDS = ['msw', 'http'] as const

/** A fetch straight into the mock that hides its V2 API, as a V1-only registry would. */
export function v1OnlyFetch(mock: Backend['mock']) {
  return async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init)
    if (new URL(request.url).pathname.startsWith('/v2')) return new Response('', { status: 404 })
    return mock.handle(request)
  }
}
