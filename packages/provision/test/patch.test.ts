import jsonpatch from 'fast-json-patch'
import { describe, expect, it } from 'vitest'
import { genPatch } from '../src/index.js'

describe('genPatch', () => {
  it('tests every replaced or removed value, never added keys, and replaces arrays whole', () => {
    const source = {
      Runnable: true,
      Profiles: ['a'],
      Params: { x: 1, 'change-stage/map': { a: 'b' } },
      Gone: 'y',
    }
    const target = {
      Runnable: false,
      Profiles: ['a', 'b'],
      Params: { x: 1, 'change-stage/map': { a: 'c' }, n: [1] },
    }
    expect(genPatch(source, target)).toEqual([
      { op: 'test', path: '/Runnable', value: true },
      { op: 'replace', path: '/Runnable', value: false },
      { op: 'test', path: '/Profiles', value: ['a'] },
      { op: 'replace', path: '/Profiles', value: ['a', 'b'] },
      { op: 'test', path: '/Params/change-stage~1map/a', value: 'b' },
      { op: 'replace', path: '/Params/change-stage~1map/a', value: 'c' },
      { op: 'add', path: '/Params/n', value: [1] },
      { op: 'test', path: '/Gone', value: 'y' },
      { op: 'remove', path: '/Gone' },
    ])
  })

  it('paranoid mode starts with one test of the whole source and has no per-field tests', () => {
    const patch = genPatch({ a: 1, b: 2 }, { a: 1, b: 3 }, true)
    expect(patch).toEqual([
      { op: 'test', path: '', value: { a: 1, b: 2 } },
      { op: 'replace', path: '/b', value: 3 },
    ])
  })

  it('identical objects give an empty patch; null vs [] is a type change', () => {
    expect(genPatch({ a: [1] }, { a: [1] })).toEqual([])
    expect(genPatch({ a: null }, { a: [] })).toEqual([
      { op: 'test', path: '/a', value: null },
      { op: 'replace', path: '/a', value: [] },
    ])
  })

  it.each([
    [{ a: 1 }, { b: { c: [1, 2] } }],
    [
      { x: { y: { z: 'q' } }, k: true },
      { x: { y: {} }, k: false, m: null },
    ],
    [{ 'a/b': 1, 'c~d': 2 }, { 'a/b': 2 }],
  ])('applying the patch of %j → %j gives the target', (source, target) => {
    for (const paranoid of [false, true]) {
      const patch = genPatch(source, target, paranoid)
      const out = jsonpatch.applyPatch(structuredClone(source), patch, true).newDocument
      expect(out).toEqual(target)
    }
  })
})
