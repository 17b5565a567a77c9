import { http } from 'msw'

/**
 * A server written as a web fetch handler. Mock servers implement this once and run both as
 * msw handlers ({@link mswHandlers}) and as a real server (`serve` from `@wharf/core-http/node`).
 * Returning `Response.error()` drops the connection without an answer.
 */
export type FetchHandler = (request: Request) => Response | Promise<Response>

/** msw request handlers that route every request for the given origins to `handler`. */
export function mswHandlers(handler: FetchHandler, ...origins: Array<string | URL>) {
  return origins.map((origin) =>
    http.all(`${new URL(String(origin)).origin}/*`, ({ request }) => handler(request)),
  )
}
