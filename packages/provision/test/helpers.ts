import { afterEach } from 'vitest'
import { type ProvisionClient, userSession } from '../src/index.js'
import {
  createMockProvision,
  type MockProvision,
  type MockProvisionOptions,
} from '../src/mock/index.js'

/** The default superuser of the fake. */
export const USER = 'rocketskates'
export const PASSWORD = 'r0cketsk8ts'

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/** A fake dr-provision on 127.0.0.1 and a logged-in client, both closed after the test. */
export async function startMock(
  options: MockProvisionOptions = {},
): Promise<{ mock: MockProvision; url: string; client: ProvisionClient }> {
  const mock = createMockProvision(options)
  const server = await mock.listen()
  cleanups.push(() => server.close())
  const client = await userSession(server.url, USER, PASSWORD, { retry: { delay: 1 } })
  cleanups.push(() => client.close())
  return { mock, url: server.url, client }
}

/** Registers a cleanup run after the current test. */
export function onCleanup(fn: () => unknown): void {
  cleanups.push(fn)
}

/** The requests the fake saw after `from`, as `METHOD path?query`. */
export function seen(mock: MockProvision, from = 0): string[] {
  return mock.requests
    .slice(from)
    .map((r) => `${r.method} ${r.path}${r.query ? `?${r.query}` : ''}`)
}
