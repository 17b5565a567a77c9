import type { AuthStrategy, HttpResponse, OutgoingRequest } from '@wharf/core-http'
import { redacted } from './redact.js'
import { assertSecureTransport } from './transport.js'

/** Options of {@link bearerToken}. */
export interface BearerTokenOptions {
  /** Allow sending the token over plain HTTP to a non-loopback host (default false). */
  allowInsecure?: boolean
}

/**
 * Sends `Authorization: Bearer <token>`. With a function, it is called for every request, and
 * a 401 is retried once when the function then returns a different token (it rotated).
 */
export function bearerToken(
  token: string | (() => Promise<string>),
  options: BearerTokenOptions = {},
): AuthStrategy {
  const current = typeof token === 'string' ? async () => token : token
  const strategy: AuthStrategy = {
    async authorize(request: OutgoingRequest) {
      assertSecureTransport(request.url, options.allowInsecure ?? false, 'a bearer token')
      request.headers.set('authorization', `Bearer ${await current()}`)
    },
  }
  if (typeof token !== 'string') {
    strategy.challenge = async (request: OutgoingRequest, response: HttpResponse) =>
      response.status === 401 &&
      request.headers.get('authorization') !== `Bearer ${await current()}`
  }
  return redacted(strategy, 'bearerToken', {}, ['token'])
}
