import { createHttpClient, type FetchLike } from '@wharf/core-http'
import { type FetchRange, rangeHeader } from '../../src/index.js'

/** A fetchRange on core-http (its own retries off: the transfer engine retries). */
export function clientFetchRange(url: string, fetch?: FetchLike): FetchRange {
  const client = createHttpClient({ baseUrl: url, retry: 0, ...(fetch ? { fetch } : {}) })
  return (range, signal) =>
    client.request(url, {
      headers: range ? { range: rangeHeader(range) } : {},
      signal,
      throwHttpErrors: (status) => status >= 400 && status !== 416,
    })
}
