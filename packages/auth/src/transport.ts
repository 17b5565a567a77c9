import { redactUrl } from '@wharf/core-http'
import { AuthError } from './errors.js'

/** True for loopback hosts: `localhost`, `*.localhost`, 127.0.0.0/8 and `[::1]`. */
export function isLoopback(url: URL): boolean {
  const host = url.hostname.toLowerCase()
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '[::1]' ||
    /^127(\.\d{1,3}){3}$/.test(host)
  )
}

/** True when credentials may travel to `url`: https, loopback, or the caller opted in. */
export function isSecureTransport(url: URL, allowInsecure = false): boolean {
  return url.protocol === 'https:' || isLoopback(url) || allowInsecure
}

/** Throws `ERR_INSECURE_TRANSPORT` unless credentials may travel to `url`. */
export function assertSecureTransport(url: URL, allowInsecure: boolean, what: string): void {
  if (!isSecureTransport(url, allowInsecure)) {
    throw new AuthError(
      'ERR_INSECURE_TRANSPORT',
      `refusing to send ${what} over plain HTTP to ${redactUrl(url.origin)}; pass allowInsecure: true to allow it`,
    )
  }
}
