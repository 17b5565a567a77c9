import { TransferOptionsError } from './errors.js'

/**
 * Bytes to upload: a Blob (a browser File too), bytes in memory, or anything that knows its
 * size and can open a byte range `[start, end)` as a fresh stream (see `fileSource` on Node).
 */
export type UploadSource =
  | Blob
  | Uint8Array
  | { readonly size: number; open(start: number, end: number): ReadableStream<Uint8Array> }

/** The size of a source, checked against an announced `size` when both are known. */
export function sourceSize(source: UploadSource, announced?: number): number {
  const size = source instanceof Uint8Array ? source.byteLength : source?.size
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new TransferOptionsError('upload source has no valid size')
  }
  if (announced !== undefined && announced !== size) {
    throw new TransferOptionsError(`size option is ${announced} but the source has ${size} bytes`)
  }
  return size
}

/** Opens bytes `[start, end)` of a source as a fresh stream. */
export function openRange(
  source: UploadSource,
  start: number,
  end: number,
): ReadableStream<Uint8Array> {
  if (source instanceof Uint8Array) {
    const bytes = source.subarray(start, end)
    return new ReadableStream({
      start(controller) {
        if (bytes.byteLength) controller.enqueue(bytes)
        controller.close()
      },
    })
  }
  if (source instanceof Blob) return source.slice(start, end).stream()
  return source.open(start, end)
}
