import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { Readable } from 'node:stream'
import type { ReplayableBody } from '../body.js'

/** A replayable request body reading a file (or a byte range of it), with its size. */
export async function fileBody(
  path: string,
  range: { start?: number; end?: number } = {},
): Promise<ReplayableBody> {
  const { size: fileSize } = await stat(path)
  const start = range.start ?? 0
  const end = Math.min(range.end ?? fileSize, fileSize)
  const size = Math.max(0, end - start)
  return {
    size,
    open: () =>
      size === 0
        ? new ReadableStream<Uint8Array>({ start: (c) => c.close() })
        : (Readable.toWeb(
            createReadStream(path, {
              start,
              end: Math.max(start, end - 1),
              highWaterMark: 256 * 1024,
            }),
          ) as ReadableStream<Uint8Array>),
  }
}

/** Adapts a Node readable stream to a web ReadableStream (a one-shot body). */
export function fromNodeReadable(readable: Readable): ReadableStream<Uint8Array> {
  return Readable.toWeb(readable) as ReadableStream<Uint8Array>
}
