/** A request body that can be produced again, so requests carrying it can be retried and redirected. */
export interface ReplayableBody {
  /** Opens a fresh stream of the whole body. */
  open(): ReadableStream<Uint8Array> | Promise<ReadableStream<Uint8Array>>
  /** Length in bytes, sent as `Content-Length` when known. */
  readonly size?: number
}

/**
 * What a request can carry. A bare `ReadableStream` is one-shot: a request with it is never
 * retried and only follows redirects that do not need the body again.
 */
export type RequestBody =
  | string
  | Uint8Array
  | ArrayBuffer
  | Blob
  | URLSearchParams
  | FormData
  | ReadableStream<Uint8Array>
  | ReplayableBody

/** Makes a replayable body from a function that opens the stream and an optional size. */
export function replayableBody(
  open: () => ReadableStream<Uint8Array> | Promise<ReadableStream<Uint8Array>>,
  size?: number,
): ReplayableBody {
  return size === undefined ? { open } : { open, size }
}

function isReplayableBody(body: unknown): body is ReplayableBody {
  return typeof body === 'object' && body !== null && typeof (body as any).open === 'function'
}

/** True unless the body is a one-shot stream. */
export function isReplayable(body: RequestBody | undefined): boolean {
  return !(body instanceof ReadableStream)
}

/** The size in bytes of a body when it is known without reading it. */
export function bodySize(body: RequestBody | undefined): number | undefined {
  if (body === undefined) return 0
  if (typeof body === 'string') return new TextEncoder().encode(body).byteLength
  if (body instanceof Uint8Array || body instanceof ArrayBuffer) return body.byteLength
  if (body instanceof Blob) return body.size
  if (isReplayableBody(body)) return body.size
  return undefined
}

/** Turns a request body into something `fetch` accepts, opening replayable bodies anew. */
export async function materializeBody(body: RequestBody): Promise<BodyInit> {
  if (isReplayableBody(body)) return await body.open()
  return body as BodyInit
}
