import { isWharfError } from '@wharf/core-http'
import { digestOf, parseDigest, verifyStream } from '@wharf/transfer'

// Digests parse from the OCI form and the Sylabs library form alike.
const expected = parseDigest(digestOf('hello, wharf').toLibraryString())

// Bytes pass through unchanged while they are hashed and counted.
const good = verifyStream(new Blob(['hello, wharf']).stream(), { expected, size: 12 })
const text = await new Response(good).text()
const { digest } = await good.result

// A stream whose content does not match fails at its end with a typed error.
let failure = ''
try {
  await new Response(verifyStream(new Blob(['tampered']).stream(), { expected })).text()
} catch (error) {
  if (isWharfError(error)) failure = error.code
}

console.log(text, digest.toString(), failure)

export { digest, failure, text }
