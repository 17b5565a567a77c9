import { HttpError, type HttpErrorInit, WharfError } from '@wharf/core-http'

/** Why a library reference was refused, as the seed's `ErrRef…` sentinels name it. */
export type RefErrorCode =
  | 'scheme-not-valid'
  | 'user-not-permitted'
  | 'query-not-permitted'
  | 'fragment-not-permitted'
  | 'path-not-valid'
  | 'tags-not-valid'

const REF_MESSAGES: Record<RefErrorCode, string> = {
  'scheme-not-valid': 'library: ref scheme not valid',
  'user-not-permitted': 'library: user not permitted in ref',
  'query-not-permitted': 'library: query not permitted in ref',
  'fragment-not-permitted': 'library: fragment not permitted in ref',
  'path-not-valid': 'library: ref path not valid',
  'tags-not-valid': 'library: ref tags not valid',
}

/** A library reference (`library://…`) could not be parsed; `code` says which rule it broke. */
export class RefError extends WharfError {
  declare readonly code: RefErrorCode
  /** The rejected input. */
  readonly input: string

  constructor(code: RefErrorCode, input: string, detail?: string) {
    super(
      code,
      `${REF_MESSAGES[code]}: ${JSON.stringify(input.slice(0, 200))}${detail ? ` (${detail})` : ''}`,
    )
    this.input = input
  }
}

/** The library answered 404: the entity, collection, container, image or file does not exist. */
export class NotFoundError extends HttpError {
  constructor(init: HttpErrorInit) {
    super(init, 'ERR_NOT_FOUND')
  }
}

/** The library answered 401: the token is missing, expired or wrong. */
export class UnauthorizedError extends HttpError {
  constructor(init: HttpErrorInit) {
    super(init, 'ERR_UNAUTHORIZED')
  }
}

/** The library answered 403: the token is valid but not allowed to do this. */
export class ForbiddenError extends HttpError {
  constructor(init: HttpErrorInit) {
    super(init, 'ERR_FORBIDDEN')
  }
}

/** An upload was refused because the entity's storage quota is used up (507 or 413). */
export class QuotaExceededError extends HttpError {
  constructor(init: HttpErrorInit) {
    super(init, 'ERR_QUOTA_EXCEEDED')
  }
}

/** Bad arguments or an answer the library protocol does not allow; the message says which. */
export class LibraryError extends WharfError {
  constructor(code: string, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options)
  }
}
