import { describe, expect, it } from 'vitest'
import {
  InvalidArchiveError,
  listArchive,
  readArchive,
  readArchiveFile,
  safeArchivePath,
} from '../src/index.js'
import { zipOf } from './fixtures.js'

describe('safeArchivePath', () => {
  it.each([
    ['a/b.txt', 'a/b.txt'],
    ['./a//b.txt', 'a/b.txt'],
    ['a/../b.txt', 'b.txt'],
    ['../b.txt', undefined],
    ['a/../../b.txt', undefined],
    ['/etc/passwd', undefined],
    ['C:/x', undefined],
    ['a\\b', undefined],
    ['a\u0000b', undefined],
    ['', undefined],
    ['.', undefined],
  ])('%j → %j', (input, expected) => expect(safeArchivePath(input)).toBe(expected))
})

describe('zip reading is safe', () => {
  it('rejects zip-slip names, oversize entries and corrupt data with InvalidArchiveError', async () => {
    const evil = zipOf({ 'ok.txt': 'fine', '../evil.txt': 'escape' })
    expect(() => readArchive(evil)).toThrow(/unsafe entry name "..\/evil.txt"/)
    expect(() => listArchive(zipOf({ '/abs.txt': 'x' }))).toThrow(InvalidArchiveError)
    expect(() => readArchive(zipOf({ 'C:/win.txt': 'x' }))).toThrow(InvalidArchiveError)
    const big = zipOf({ 'big.bin': new Uint8Array(5000) })
    expect(() => readArchive(big, { maxFileSize: 4000 })).toThrow(/over the limit of 4000/)
    expect(() => readArchive(zipOf({ a: 'x', b: 'y', c: 'z' }), { maxFiles: 2 })).toThrow(
      /more than 2 files/,
    )
    expect(() => readArchive(zipOf({ a: 'xx', b: 'yy' }), { maxTotalSize: 3 })).toThrow(
      /exceed the limit of 3/,
    )
    const good = zipOf({ 'dir/a.txt': 'A' })
    expect(() => readArchive(good.subarray(0, good.byteLength - 10))).toThrow(/corrupt zip/)
    expect(() => readArchive(new Uint8Array(100))).toThrow(InvalidArchiveError)
    expect(new TextDecoder().decode(readArchiveFile(good, 'dir/./a.txt'))).toBe('A')
    expect(() => readArchiveFile(good, 'dir/../../a.txt')).toThrow(/unsafe path/)
    expect(() => readArchiveFile(good, 'b.txt')).toThrow(/not found/)
  })
})
