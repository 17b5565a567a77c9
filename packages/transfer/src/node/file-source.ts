import { createReadStream, statSync } from 'node:fs'
import { Readable } from 'node:stream'
import { TransferOptionsError } from '../errors.js'

/** An upload source over a file (assignable to `UploadSource`). */
export interface FileSource {
  readonly path: string
  readonly size: number
  /** Bytes `[start, end)` of the file. */
  open(start: number, end: number): ReadableStream<Uint8Array>
}

/** An upload source reading a file: its size now, any byte range later (256 KiB reads). */
export function fileSource(path: string): FileSource {
  let size: number
  try {
    const stats = statSync(path)
    if (!stats.isFile()) throw new Error('not a regular file')
    size = stats.size
  } catch (error) {
    throw new TransferOptionsError(`cannot upload ${path}: ${(error as Error).message}`)
  }
  return {
    path,
    size,
    open(start: number, end: number) {
      if (end <= start) return new ReadableStream({ start: (c) => c.close() })
      return Readable.toWeb(
        createReadStream(path, { start, end: end - 1, highWaterMark: 256 * 1024 }),
      ) as ReadableStream<Uint8Array>
    },
  }
}
