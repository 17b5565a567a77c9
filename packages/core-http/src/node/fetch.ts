import type { Dispatcher } from 'undici'
import type { FetchLike } from '../client.js'
import { loadUndici } from './undici.js'

/** Network options that only Node can honour. */
export interface NodeFetchOptions {
  /**
   * Proxy use: `'env'` (default) reads `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY`; an object
   * sets them explicitly; `false` connects directly.
   */
  proxy?: 'env' | false | { http?: string; https?: string; noProxy?: string }
  /** Extra trusted CA certificates (PEM), for a private registry. */
  ca?: string | Buffer | Array<string | Buffer>
  /** Skip TLS certificate verification. Explicit opt-in only; never the default. */
  insecure?: boolean
}

/** An undici dispatcher for the given proxy and TLS options. */
export async function createDispatcher(options: NodeFetchOptions = {}): Promise<Dispatcher> {
  const { Agent, EnvHttpProxyAgent } = await loadUndici()
  const connect = {
    ...(options.ca === undefined ? {} : { ca: options.ca }),
    ...(options.insecure ? { rejectUnauthorized: false } : {}),
  }
  const proxy = options.proxy ?? 'env'
  if (proxy === false) return new Agent({ connect })
  const explicit =
    proxy === 'env'
      ? {}
      : {
          ...(proxy.http === undefined ? {} : { httpProxy: proxy.http }),
          ...(proxy.https === undefined ? {} : { httpsProxy: proxy.https }),
          ...(proxy.noProxy === undefined ? {} : { noProxy: proxy.noProxy }),
        }
  return new EnvHttpProxyAgent({
    ...explicit,
    connect,
    requestTls: connect,
    proxyTls: connect,
  } as any)
}

/**
 * A fetch for `createHttpClient({ fetch })` that honours proxies from the environment, a
 * custom CA bundle and (when asked) insecure TLS. undici is loaded on the first request.
 */
export function createNodeFetch(options: NodeFetchOptions = {}): FetchLike {
  let dispatcher: Promise<Dispatcher> | undefined
  return (async (input: any, init: any = {}) => {
    const { fetch } = await loadUndici()
    dispatcher ??= createDispatcher(options)
    return fetch(input, { ...init, dispatcher: await dispatcher } as any)
  }) as unknown as FetchLike
}
