const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1')

let loading: Promise<typeof import('undici')> | undefined

/**
 * Imports the undici package without letting it become the backend of Node's built-in
 * `fetch`. Importing undici installs its own global dispatcher when none exists yet, and
 * Node's bundled fetch (another undici version) would then send every request through it,
 * which breaks requests with an explicit Content-Length. Wharf always passes its dispatcher
 * explicitly, so the global slot is handed back to Node's fetch.
 */
export function loadUndici(): Promise<typeof import('undici')> {
  loading ??= (async () => {
    const slot = globalThis as Record<symbol, unknown>
    const before = slot[GLOBAL_DISPATCHER]
    const undici = await import('undici')
    if (before === undefined) slot[GLOBAL_DISPATCHER] = undefined
    return undici
  })()
  return loading
}
