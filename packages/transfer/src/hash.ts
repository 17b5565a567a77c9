import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { Digest, type DigestAlgorithm, isDigestAlgorithm } from './digest.js'
import { TransferOptionsError } from './errors.js'

/** An incremental hash: feed chunks, then read the digest once. */
export interface Hasher {
  update(chunk: Uint8Array): void
  digest(): Digest
}

/** Which implementation hashes: `node` (node:crypto, OpenSSL) or `portable` (@noble/hashes). */
export type HashBackend = 'node' | 'portable'

type NodeCrypto = {
  createHash(name: string): { update(b: Uint8Array): unknown; digest(e: 'hex'): string }
}

// node:crypto is looked up at run time, never imported, so the main entry stays portable:
// `process.getBuiltinModule` exists on Node ≥ 20.16 (and Bun, Deno); elsewhere it is absent.
const nodeCrypto: NodeCrypto | undefined = (() => {
  try {
    return (globalThis as any).process?.getBuiltinModule?.('node:crypto') as NodeCrypto | undefined
  } catch {
    return undefined
  }
})()

const portable = { sha256, sha384, sha512 }

/** The backend `createHasher` uses by default on this runtime. */
export const defaultHashBackend: HashBackend = nodeCrypto ? 'node' : 'portable'

function checkAlgorithm(algorithm: unknown): asserts algorithm is DigestAlgorithm {
  if (!isDigestAlgorithm(algorithm)) {
    throw new TransferOptionsError(
      `unsupported digest algorithm ${JSON.stringify(String(algorithm))} (sha256, sha384 or sha512)`,
    )
  }
}

/**
 * A streaming hasher. On Node it uses node:crypto; elsewhere @noble/hashes, because WebCrypto
 * cannot hash a stream. `backend` forces one (for tests and comparisons).
 */
export function createHasher(
  algorithm: DigestAlgorithm = 'sha256',
  backend: HashBackend = defaultHashBackend,
): Hasher {
  checkAlgorithm(algorithm)
  let done = false
  const finish = (hex: string) => {
    done = true
    return new Digest(algorithm, hex)
  }
  const once = () => {
    if (done) throw new TransferOptionsError('hasher already finished: digest() was called')
  }
  const hash =
    backend === 'node' && nodeCrypto
      ? nodeCrypto.createHash(algorithm)
      : portable[algorithm].create()
  return {
    update(chunk) {
      once()
      hash.update(chunk)
    },
    digest() {
      once()
      const out = hash.digest('hex' as never) as string | Uint8Array
      return finish(typeof out === 'string' ? out : bytesToHex(out))
    },
  }
}

/** The digest of bytes in memory (a string is hashed as UTF-8). */
export function digestOf(
  bytes: Uint8Array | string,
  algorithm: DigestAlgorithm = 'sha256',
): Digest {
  const hasher = createHasher(algorithm)
  hasher.update(typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes)
  return hasher.digest()
}

/** Reads a whole stream, hashing it; resolves with its digest and size. */
export async function hashStream(
  stream: ReadableStream<Uint8Array>,
  algorithm: DigestAlgorithm = 'sha256',
): Promise<{ digest: Digest; size: number }> {
  const hasher = createHasher(algorithm)
  const reader = stream.getReader()
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    hasher.update(value)
    size += value.byteLength
  }
  return { digest: hasher.digest(), size }
}
