import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { type ProgressEvent, throttleProgress } from '../src/index.js'

describe('throttleProgress', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('limits progress to the rate, flushes the last value, always passes other events', () => {
    const seen: ProgressEvent[] = []
    const p = throttleProgress((e) => seen.push(e), 10)
    p({ type: 'start', total: 100 })
    for (let i = 1; i <= 50; i++) p({ type: 'progress', transferred: i, total: 100 })
    expect(seen.map((e) => e.type)).toEqual(['start', 'progress'])
    vi.advanceTimersByTime(100)
    expect(seen.at(-1)).toEqual({ type: 'progress', transferred: 50, total: 100 })
    p({ type: 'progress', transferred: 60 })
    p({ type: 'progress', transferred: 70 })
    p({ type: 'part', partNumber: 1, size: 70 })
    p({ type: 'done', transferred: 100 })
    expect(seen.slice(-4)).toEqual([
      { type: 'progress', transferred: 50, total: 100 },
      { type: 'progress', transferred: 70 },
      { type: 'part', partNumber: 1, size: 70 },
      { type: 'done', transferred: 100 },
    ])
    vi.advanceTimersByTime(1000)
    expect(seen).toHaveLength(6)
  })

  it('a throwing listener does not throw into the transfer', () => {
    const p = throttleProgress(() => {
      throw new Error('listener bug')
    })
    expect(() => p({ type: 'finalizing' })).not.toThrow()
  })
})
