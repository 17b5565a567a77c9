import { WharfError, type WharfErrorOptions } from '@wharf/core-http'

/**
 * An authentication failure: a refused realm, a failed token request, a malformed answer from
 * an auth server. `code` says which (`ERR_TOKEN`, `ERR_INSECURE_TRANSPORT`, `ERR_INVALID_REALM` …).
 */
export class AuthError extends WharfError {}

/** A `tokenSession` was used after `close()` (code `ERR_SESSION_CLOSED`). */
export class SessionClosedError extends AuthError {
  constructor() {
    super('ERR_SESSION_CLOSED', 'the token session is closed')
  }
}

/** A macaroon discharger refused a discharge or answered something unusable (`ERR_DISCHARGE`). */
export class DischargeError extends AuthError {
  constructor(message: string, options: WharfErrorOptions = {}) {
    super('ERR_DISCHARGE', message, options)
  }
}

/**
 * A discharger needs a human to log in at `visitUrl` and no `interact` callback was given
 * (code `ERR_INTERACTION_REQUIRED`).
 */
export class InteractionRequiredError extends AuthError {
  /** Where the user must go to log in. */
  readonly visitUrl: string
  constructor(visitUrl: string) {
    super('ERR_INTERACTION_REQUIRED', `interaction required: visit ${visitUrl} to log in`)
    this.visitUrl = visitUrl
  }
}
