/** One entry of the OCI error body. */
export interface ErrorEntry {
  code: string
  message: string
  detail?: unknown
}

const MESSAGES: Readonly<Record<string, string>> = {
  BLOB_UNKNOWN: 'blob unknown to registry',
  BLOB_UPLOAD_INVALID: 'blob upload invalid',
  BLOB_UPLOAD_UNKNOWN: 'blob upload unknown to registry',
  DIGEST_INVALID: 'provided digest did not match uploaded content',
  MANIFEST_BLOB_UNKNOWN: 'manifest references a manifest or blob unknown to registry',
  MANIFEST_INVALID: 'manifest invalid',
  MANIFEST_UNKNOWN: 'manifest unknown to registry',
  NAME_INVALID: 'invalid repository name',
  NAME_UNKNOWN: 'repository name not known to registry',
  SIZE_INVALID: 'provided length did not match content length',
  UNAUTHORIZED: 'authentication required',
  DENIED: 'requested access to the resource is denied',
  UNSUPPORTED: 'the operation is unsupported',
  TOOMANYREQUESTS: 'too many requests',
  TAG_INVALID: 'manifest tag did not match URI',
  RANGE_INVALID: 'invalid content range',
  PAGINATION_NUMBER_INVALID: 'invalid number of results requested',
  UNAVAILABLE: 'service unavailable',
  UNKNOWN: 'unknown error',
}

/** An error entry with the code's standard message, or a more precise one. */
export function entry(code: string, message?: string, detail?: unknown): ErrorEntry {
  return {
    code,
    message: message ?? MESSAGES[code] ?? code.toLowerCase(),
    ...(detail === undefined ? {} : { detail }),
  }
}

/** An OCI error response: `{"errors":[…]}` with the given status. */
export function errorResponse(
  status: number,
  errors: ErrorEntry | ErrorEntry[],
  headers: HeadersInit = {},
): Response {
  const body = JSON.stringify({ errors: Array.isArray(errors) ? errors : [errors] })
  const h = new Headers(headers)
  h.set('content-type', 'application/json')
  h.set('content-length', String(new TextEncoder().encode(body).length))
  return new Response(body, { status, headers: h })
}

/** Shorthand: a single-entry error response. */
export function fail(
  status: number,
  code: string,
  message?: string,
  detail?: unknown,
  headers?: HeadersInit,
): Response {
  return errorResponse(status, entry(code, message, detail), headers)
}
