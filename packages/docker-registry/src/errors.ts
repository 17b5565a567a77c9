import { type ErrorParser, HttpError, WharfError, type WharfErrorOptions } from '@wharf/core-http'
import { registryErrorParser } from '@wharf/distribution'

/** Login failed: bad credentials (`ERR_LOGIN_UNAUTHORIZED`), an inactive account (`ERR_LOGIN_INACTIVE`) or another answer (`ERR_LOGIN`). */
export class LoginError extends WharfError {
  /** The status of the answer that made login fail (0 when there was none). */
  readonly status: number
  constructor(code: string, message: string, status: number, options: WharfErrorOptions = {}) {
    super(code, message, options)
    this.status = status
  }
}

/** A V1 image JSON push found the image already on the registry (`ERR_IMAGE_EXISTS`): skip it. */
export class ImageExistsError extends WharfError {
  readonly imageId: string
  constructor(imageId: string, options: WharfErrorOptions = {}) {
    super('ERR_IMAGE_EXISTS', `image ${imageId} already exists on the registry`, options)
    this.imageId = imageId
  }
}

/** No V1 registry knows the repository or tag (`ERR_REPOSITORY_NOT_FOUND`). */
export class RepositoryNotFoundError extends WharfError {
  constructor(what: string, options: WharfErrorOptions = {}) {
    super('ERR_REPOSITORY_NOT_FOUND', `${what} not found`, options)
  }
}

/** The endpoint answered neither the V2 nor the V1 ping (`ERR_NOT_REGISTRY`). */
export class EndpointError extends WharfError {
  constructor(message: string, options: WharfErrorOptions = {}) {
    super('ERR_NOT_REGISTRY', message, options)
  }
}

/** A caller passed an argument the protocol cannot carry (`ERR_INVALID_ARGUMENT`). */
export class InvalidArgumentError extends WharfError {
  constructor(message: string) {
    super('ERR_INVALID_ARGUMENT', message)
  }
}

const STATUS_CODES: Record<number, string> = {
  401: 'UNAUTHORIZED',
  403: 'DENIED',
  404: 'NOT_FOUND',
  405: 'UNSUPPORTED',
  409: 'CONFLICT',
  429: 'TOOMANYREQUESTS',
}

/**
 * Error bodies of Docker registries: V1 `{"error": "<message>"}` (its code derived from the
 * status), and everything distribution's `registryErrorParser` reads (V2 `{"errors": [...]}`
 * envelopes, token servers' `{"details": "..."}`, plain text, `WWW-Authenticate` hints).
 */
export const dockerErrorParser: ErrorParser = (body, response) => {
  const b = body as { error?: unknown } | null
  if (b && typeof b === 'object' && typeof b.error === 'string') {
    return [{ code: STATUS_CODES[response.status] ?? 'UNKNOWN', message: b.error }]
  }
  return registryErrorParser(body, response)
}

/** The V1 error message of an HttpError (`{"error": …}` body), or ''. */
export function v1Message(error: unknown): string {
  return error instanceof HttpError ? (error.errors[0]?.message ?? '') : ''
}
