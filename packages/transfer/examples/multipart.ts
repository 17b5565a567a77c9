import { type MultipartAdapter, multipartUpload } from '@wharf/transfer'

// A protocol adapter: here an in-memory "server"; Library v2 or charm store resource uploads
// make the same four calls over HTTP.
const stored = new Map<number, string>()
const adapter: MultipartAdapter<string> = {
  async start({ partCount }) {
    return { uploadId: `upload-of-${partCount}-parts` }
  },
  async uploadPart({ partNumber, body, checksum }) {
    const text = await new Response(await body.open()).text()
    stored.set(partNumber, text)
    return { etag: checksum.hex.slice(0, 8) }
  },
  async complete({ uploadId, parts, digest }) {
    const whole = parts.map((p) => stored.get(p.partNumber)).join('')
    return `${uploadId}: ${whole.length} bytes, ${digest}`
  },
  async abort() {
    stored.clear()
  },
}

const source = new Blob(['a'.repeat(2500)])
const result = await multipartUpload({ source, partSize: 1000, concurrency: 2, adapter })
console.log(result)

export { result }
