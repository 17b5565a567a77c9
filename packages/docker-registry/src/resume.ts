import type { HttpResponse } from '@wharf/core-http'
import { SizeMismatchError } from '@wharf/transfer'

/** How to resume: where the bytes come from and how far to go. */
export interface ResumeOptions {
  /** Opens the body from byte `from` (a ranged request when `from > 0`). */
  open(from: number): Promise<HttpResponse>
  /** The first response, already opened at `offset`. */
  first: HttpResponse
  /** Where `first` starts. */
  offset: number
  /** Total size; without it a break cannot be resumed. */
  size?: number
  /** Resumes at most (each after a break). */
  maxResumes: number
  /** Names the content in errors. */
  what: string
}

/** A reader of the body; a bodiless answer (204) reads as empty, so its size is checked too. */
function readerOf(response: HttpResponse): ReadableStreamDefaultReader<Uint8Array> {
  return (response.body ?? new Blob([]).stream()).getReader()
}

/**
 * A stream over `first` that, when the size is known and the server said
 * `Accept-Ranges: bytes`, reopens from the last byte received after a break (at most
 * `maxResumes` times). More or fewer bytes than `size` fail with SizeMismatchError.
 */
export function resumableStream(options: ResumeOptions): ReadableStream<Uint8Array> {
  const { open, size, maxResumes, what } = options
  const resumable = size !== undefined && options.first.headers.get('accept-ranges') === 'bytes'
  let received = options.offset
  let reader = readerOf(options.first)
  let resumes = 0
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        try {
          const { done, value } = await reader.read()
          if (!done) {
            received += value.byteLength
            if (size !== undefined && received > size)
              throw new SizeMismatchError(size, received, what)
            controller.enqueue(value)
            return
          }
          if (size === undefined || received === size) return controller.close()
          throw new SizeMismatchError(size, received, what)
        } catch (error) {
          const tooMuch = error instanceof SizeMismatchError && received > size!
          if (!resumable || resumes >= maxResumes || tooMuch) throw error
          resumes++
          reader = readerOf(await open(received))
        }
      }
    },
    cancel(reason) {
      return reader.cancel(reason)
    },
  })
}
