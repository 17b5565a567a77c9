import { describe, expect, it } from 'vitest'
import {
  isImageHash,
  isLibraryPullRef,
  isLibraryPushRef,
  isRefPart,
  parseLibraryPath,
} from '../src/index.js'

const hex = 'a'.repeat(64)

describe('isLibraryPullRef', () => {
  it.each([
    ['library://image', true],
    ['image', true],
    ['collection/image:tag', true],
    ['library://entity/collection/image', true],
    ['library://entity/collection/image:v1.2-rc_3', true],
    [`library://e/c/image:sha256.${hex}`, true],
    ['library://entity/collection/extra/image:tag', false],
    ['library://entity/collection/im,age:tag', false],
    ['library://entity/collection/-image:tag', false],
    ['library://entity/collection/image:t1,t2', false],
    ['library://Entity/collection/image', false],
    ['library://image:', false],
    ['', false],
  ])('%j → %s', (ref, ok) => expect(isLibraryPullRef(ref)).toBe(ok))
})

describe('isLibraryPushRef', () => {
  it.each([
    ['library://entity/collection/image', true],
    ['entity/collection/image:tag', true],
    ['library://entity/collection/image:t1,t2.x', true],
    ['library://image:tag', false],
    ['library://collection/image:tag', false],
    ['library://Entity/collection/image:tag', false],
    ['library://e/c/image:,t', false],
    ['library://e/c/d/image', false],
  ])('%j → %s', (ref, ok) => expect(isLibraryPushRef(ref)).toBe(ok))
})

describe('isRefPart and isImageHash', () => {
  it.each([
    ['alpine', true],
    ['my-image.v1_2', true],
    ['a..b', false],
    ['-a', false],
    ['Alpine', false],
    ['a/b', false],
    ['', false],
  ])('isRefPart(%j) → %s', (part, ok) => expect(isRefPart(part)).toBe(ok))

  it.each([
    [`sha256.${hex}`, true],
    ['sif.01234567-89ab-cdef-0123-456789abcdef', true],
    [`sha256.${'a'.repeat(63)}`, false],
    [`sha256.${'a'.repeat(65)}`, false],
    [`sha256.${'A'.repeat(64)}`, false],
    [`sha256.${'g'.repeat(64)}`, false],
    [`sha256:${hex}`, false],
    ['sif.01234567-89ab-cdef-0123-456789abcde', false],
    ['sif.01234567-89ab-cdef-0123-456789abcdef0', false],
  ])('isImageHash(%j) → %s', (hash, ok) => expect(isImageHash(hash)).toBe(ok))
})

describe('parseLibraryPath', () => {
  it.each([
    ['library://e/c/n:t1,t2', ['e', 'c', 'n', ['t1', 't2']]],
    ['e/c/n', ['e', 'c', 'n', []]],
    ['library://c/n:t', ['', 'c', 'n', ['t']]],
    ['n', ['', '', 'n', []]],
    ['n:a:b', ['', '', 'n', ['a']]],
    ['library://a/b/c/d:t', ['', '', '', []]],
  ])('%j', (ref, [entity, collection, container, tags]) => {
    expect(parseLibraryPath(ref)).toEqual({ entity, collection, container, tags })
  })
})
