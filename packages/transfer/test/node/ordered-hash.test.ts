import { createHash } from 'node:crypto'
import { expect, it } from 'vitest'
import { createHasher } from '../../src/index.js'
import { OrderedHasher } from '../../src/node/ordered-hash.js'
import { WorkerHasher } from '../../src/node/worker-hasher.js'

const bytes = new Uint8Array(30).map((_, i) => i * 7)
const want = createHash('sha256').update(bytes).digest('hex')

it.each([
  ['inline', () => createHasher('sha256')],
  ['worker', () => new WorkerHasher('sha256')],
])(
  'hashes out-of-order writes in order, reading back only what ran ahead (%s)',
  async (_, make) => {
    const reads: string[] = []
    const hasher = new OrderedHasher(make(), 10, [0, 10, 20], async (position, length) => {
      reads.push(`${position}+${length}`)
      return bytes.subarray(position, position + length)
    })
    const write = (index: number, from: number, to: number) => {
      hasher.arrived(from, bytes.subarray(from, to))
      hasher.written(index, to)
    }
    write(1, 10, 16) // part 2 runs ahead: nothing hashed yet
    write(0, 0, 10) // part 1 hashed from memory, then part 2's 6 bytes are read back
    await new Promise((r) => setTimeout(r, 10))
    write(1, 16, 20) // arrives where hashing stands: from memory
    write(2, 20, 30)
    const { digest, hashed } = await hasher.finish()
    expect(hashed).toBe(30)
    expect(digest.hex).toBe(want)
    expect(reads).toEqual(['10+6'])
  },
)
