import {
  type ApiErrorEntry,
  defaultErrorParser,
  type ErrorParser,
  HttpError,
  WharfError,
  type WharfErrorOptions,
} from '@wharf/core-http'

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
 * Error bodies of Docker registries: V2 `{"errors": [...]}` envelopes (and token servers'
 * `{"details": "..."}`) and V1 `{"error": "<message>"}`, whose code is derived from the status.
 */
export const dockerErrorParser: ErrorParser = (body, response) => {
  const b = body as any
  const fallback = STATUS_CODES[response.status] ?? 'UNKNOWN'
  if (b && typeof b === 'object' && typeof b.error === 'string') {
    return [{ code: fallback, message: b.error }]
  }
  if (b && typeof b === 'object' && typeof b.details === 'string') {
    return [{ code: fallback, message: b.details }]
  }
  const entries: ApiErrorEntry[] = defaultErrorParser(body, response)
  if (!entries.length && typeof body === 'string' && body.trim()) {
    return [{ code: fallback, message: body.trim().slice(0, 300) }]
  }
  return entries
}

/** The V1 error message of an HttpError (`{"error": …}` body), or ''. */
export function v1Message(error: unknown): string {
  return error instanceof HttpError ? (error.errors[0]?.message ?? '') : ''
}
