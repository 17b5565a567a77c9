import type { AuthStrategy, OutgoingRequest } from '@wharf/core-http'
import { basicHeader } from './base64.js'
import { redacted } from './redact.js'
import { assertSecureTransport } from './transport.js'

/** Options of {@link basicAuth}. */
export interface BasicAuthOptions {
  username: string
  password: string
  /** Allow sending the credentials over plain HTTP to a non-loopback host (default false). */
  allowInsecure?: boolean
}

/** Sends `Authorization: Basic …` with every request for the client's origin. */
export function basicAuth(options: BasicAuthOptions): AuthStrategy {
  const { username, password, allowInsecure = false } = options
  const header = basicHeader(username, password)
  return redacted(
    {
      authorize(request: OutgoingRequest) {
        assertSecureTransport(request.url, allowInsecure, 'basic credentials')
        request.headers.set('authorization', header)
      },
    },
    'basicAuth',
    { username },
    ['password'],
  )
}
