import { expect, it } from 'vitest'
import { parseContentRange, rangeHeader } from '../src/index.js'

it.each([
  ['bytes 0-99/1000', { start: 0, end: 99, total: 1000 }],
  ['bytes 5-5/*', { start: 5, end: 5 }],
  ['BYTES  10-19/20', { start: 10, end: 19, total: 20 }],
  ['bytes */0', { unsatisfied: true, total: 0 }],
  ['bytes 10-5/100', undefined],
  ['bytes 0-100/100', undefined],
  ['bytes */*', undefined],
  ['items 0-1/2', undefined],
  ['', undefined],
  [null, undefined],
])('parseContentRange(%j)', (header, expected) => {
  expect(parseContentRange(header)).toEqual(expected)
})

it('formats Range headers', () => {
  expect(rangeHeader({ start: 0, end: 99 })).toBe('bytes=0-99')
  expect(rangeHeader({ start: 100 })).toBe('bytes=100-')
})
