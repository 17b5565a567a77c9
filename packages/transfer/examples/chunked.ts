import { chunkedUpload } from '@wharf/transfer'

// An OCI-style upload session that loses the second PATCH once.
let received = ''
let patches = 0
const { digest, size } = await chunkedUpload({
  source: new TextEncoder().encode('0123456789abcdefghij'),
  chunkSize: 8,
  retryDelay: 1,
  adapter: {
    async patch({ offset, body }) {
      const text = await new Response(await body.open()).text()
      if (++patches === 2) throw new TypeError('fetch failed: connection reset')
      if (offset !== received.length) throw new Error('out of order')
      received += text
      return { offset: received.length }
    },
    async status() {
      return { offset: received.length }
    },
  },
})
console.log(received, size, String(digest), patches)

export { digest, patches, received, size }
