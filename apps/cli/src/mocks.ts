/** A mock server started by `wharf mock` or `wharf demo`. */
export interface StartedMock {
  url: string
  close(): Promise<void>
}

type Starter = (port?: number) => Promise<StartedMock>

/** The packages' embedded mock servers, by protocol name; each is loaded only when started. */
export const MOCKS: Record<string, Starter> = {
  oci: async (port) => {
    const { createMockRegistry } = await import('@wharf/distribution/mock')
    return createMockRegistry().listen(port ? { port, storagePort: port + 1 } : {})
  },
  docker: async (port) => {
    const { createMockDockerRegistry } = await import('@wharf/docker-registry/mock')
    return createMockDockerRegistry({ hub: true }).listen({ ...(port ? { port } : {}) })
  },
  library: async (port) => {
    const { createMockLibrary } = await import('@wharf/library/mock')
    return createMockLibrary().listen(port ? { port, storagePort: port + 1 } : {})
  },
  drp: async (port) => {
    const { createMockProvision } = await import('@wharf/provision/mock')
    return createMockProvision().listen({ ...(port ? { port } : {}) })
  },
  charm: async (port) => {
    const { createMockCharmStore } = await import('@wharf/charmstore/mock')
    return createMockCharmStore({ discharger: { user: 'demo' } }).listen(
      port ? { port, dischargerPort: port + 1 } : {},
    )
  },
}

/** Starts the named mocks (all when none is named) on 127.0.0.1, consecutive ports from `port`. */
export async function startMocks(
  names: string[],
  port?: number,
): Promise<Record<string, StartedMock>> {
  const chosen = names.length ? names : Object.keys(MOCKS)
  const started: Record<string, StartedMock> = {}
  try {
    for (const [i, name] of chosen.entries()) {
      const start = MOCKS[name]
      if (!start)
        throw new Error(
          `unknown protocol ${JSON.stringify(name)} (known: ${Object.keys(MOCKS).join(', ')})`,
        )
      started[name] = await start(port === undefined ? undefined : port + i * 2)
    }
  } catch (error) {
    await stopMocks(started)
    throw error
  }
  return started
}

/** Stops mocks started by {@link startMocks}. */
export async function stopMocks(mocks: Record<string, StartedMock>): Promise<void> {
  await Promise.all(Object.values(mocks).map((m) => m.close()))
}
