/** A one-chunk stream of bytes in memory. */
export function bytesStream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      if (bytes.byteLength) controller.enqueue(bytes)
      controller.close()
    },
  })
}

/** The `Content-Length` of a response, or undefined when absent or not a byte count. */
export function contentLength(headers: Headers): number | undefined {
  const value = headers.get('content-length')
  if (value === null || !/^\d+$/.test(value.trim())) return undefined
  const n = Number(value)
  return Number.isSafeInteger(n) ? n : undefined
}
