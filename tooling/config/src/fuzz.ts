// Hostile-input fuzzing for parsers: seeded, bounded in count and time, reproducible.

/** A seeded PRNG (mulberry32): the same seed gives the same inputs on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

// Characters parsers trip on: separators, quotes, escapes, controls, non-ASCII, surrogates.
const NASTY = [
  ...'/:@.-_+=,;"\'\\ \t\r\n\0%#?&[]{}()<>*!$~^`|',
  'é',
  'ß',
  'İ',
  '\u200b',
  '\ufeff',
  '\ud800',
  '😀',
  'sha256:',
  'library://',
  'cs:',
  '..',
  '%00',
  '%2F',
]

/**
 * `count` hostile strings derived from `seeds` (valid examples): characters inserted,
 * deleted, duplicated and replaced; pieces of two seeds spliced; random strings; very long
 * repetitions. Deterministic for a given `seed`.
 */
export function hostileStrings(seeds: string[], count: number, seed = 1): string[] {
  const random = prng(seed)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!
  const anyChar = () =>
    random() < 0.5 ? pick(NASTY) : String.fromCharCode(Math.floor(random() * 0x3000))
  const mutate = (text: string): string => {
    const at = Math.floor(random() * (text.length + 1))
    switch (Math.floor(random() * 6)) {
      case 0:
        return text.slice(0, at) + anyChar() + text.slice(at)
      case 1:
        return text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 4))
      case 2:
        return text.slice(0, at) + text.slice(at).repeat(2)
      case 3:
        return text.slice(0, at) + anyChar() + text.slice(at + 1)
      case 4:
        return text.slice(0, at) + pick(seeds).slice(Math.floor(random() * 10))
      default:
        return text.toUpperCase()
    }
  }
  const out = ['', ' ', ...seeds.map((s) => s.repeat(300)), 'a'.repeat(100_000)]
  while (out.length < count) {
    if (random() < 0.15) {
      out.push(Array.from({ length: Math.floor(random() * 40) }, anyChar).join(''))
      continue
    }
    let text = pick(seeds)
    for (let i = 1 + Math.floor(random() * 4); i > 0; i--) text = mutate(text)
    out.push(text)
  }
  return out.slice(0, count)
}

/** An input the parser mishandled: it threw something untyped, or took too long. */
export interface FuzzFinding<T> {
  input: T
  problem: string
}

/**
 * Runs `parse` on every input and reports those where it threw an error `typed` does not
 * accept (a crash rather than a clear refusal) or ran longer than `maxMs`.
 */
export function fuzz<T>(
  inputs: readonly T[],
  parse: (input: T) => unknown,
  typed: (error: unknown) => boolean,
  maxMs = 250,
): FuzzFinding<T>[] {
  const findings: FuzzFinding<T>[] = []
  for (const input of inputs) {
    const started = performance.now()
    try {
      parse(input)
    } catch (error) {
      if (!typed(error)) findings.push({ input, problem: String((error as Error)?.stack ?? error) })
    }
    const took = performance.now() - started
    if (took > maxMs) findings.push({ input, problem: `took ${took.toFixed(0)} ms` })
  }
  return findings
}

/**
 * Sends `count` hostile requests (paths derived from `seeds`, every method, odd content types
 * and the path as body) to a mock server's fetch handler; returns those answered with a 5xx
 * or that made it throw. Paths that do not make a URL on `origin` are skipped (no client sends
 * them there).
 */
export async function fuzzHandler(
  handle: (request: Request) => Response | Promise<Response>,
  origin: string,
  seeds: string[],
  count: number,
  seed = 1,
): Promise<string[]> {
  const methods = ['GET', 'HEAD', 'PUT', 'POST', 'PATCH', 'DELETE']
  const crashes: string[] = []
  for (const [i, path] of hostileStrings(seeds, count, seed).entries()) {
    const method = methods[i % methods.length]!
    let url: URL
    try {
      url = new URL(path, origin)
    } catch {
      continue
    }
    if (url.origin !== new URL(origin).origin || url.username || url.password) continue
    const what = `${method} ${path.slice(0, 100)}`
    try {
      const response = await handle(
        new Request(url, {
          method,
          headers: { 'content-type': path.slice(0, 40).replace(/[^\x20-\x7e]/g, '') },
          ...(method === 'GET' || method === 'HEAD' ? {} : { body: path }),
        }),
      )
      await response.body?.cancel().catch(() => {})
      if (response.status >= 500) crashes.push(`${what} → ${response.status}`)
    } catch (error) {
      crashes.push(`${what} → threw ${(error as Error)?.message ?? error}`)
    }
  }
  return crashes
}

/** What a hostile server answers with: values for its random statuses, headers and bodies. */
export interface HostileAnswers {
  /** Texts to derive bodies and header values from (valid bodies, header values, paths). */
  seeds: string[]
  /** Headers the client reads; each is set on about a third of the answers. */
  headers: string[]
  /** Content types to choose from. */
  contentTypes: string[]
  /** Statuses to choose from (default: a spread of 2xx, 3xx, 4xx and 5xx). */
  statuses?: number[]
}

/**
 * A fetch handler answering every request with a random status, random values for the
 * client's headers and a random body, all derived from `answers` (seeded, reproducible).
 */
export function hostileResponder(answers: HostileAnswers, seed = 1): () => Response {
  const random = prng(seed)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!
  const texts = hostileStrings(answers.seeds, 800, seed + 1)
  const statuses = answers.statuses ?? [
    200, 201, 202, 204, 206, 301, 302, 307, 400, 401, 403, 404, 409, 416, 422, 500, 503,
  ]
  return () => {
    const status = pick(statuses)
    const headers = new Headers({ 'content-type': pick(answers.contentTypes) })
    for (const name of answers.headers) {
      if (random() < 0.3)
        headers.set(
          name,
          pick(texts)
            .replace(/[^\x20-\x7e]/g, '')
            .trim(),
        )
    }
    const body = [204, 301, 302, 307].includes(status) ? null : pick(texts)
    return new Response(body, { status, headers })
  }
}

/**
 * Runs `count` randomly chosen operations (seeded) and returns the failures that were not
 * typed (`typed` says no), plus the set of outcomes seen (`ok` or an error code).
 */
export async function hostileRounds(
  operations: Array<[string, () => Promise<unknown>]>,
  typed: (error: unknown) => error is { code: string },
  count: number,
  seed = 1,
): Promise<{ untyped: string[]; outcomes: Set<string> }> {
  const random = prng(seed)
  const untyped: string[] = []
  const outcomes = new Set<string>()
  for (let round = 0; round < count; round++) {
    const [name, run] = operations[Math.floor(random() * operations.length)]!
    try {
      await run()
      outcomes.add('ok')
    } catch (error) {
      if (typed(error)) outcomes.add(error.code)
      else untyped.push(`${name}: ${(error as Error)?.stack ?? error}`)
    }
  }
  return { untyped, outcomes }
}

/** Reads an async iterable (a listing, pages) to its end or to `max` items, whichever first. */
export async function drainBounded(items: AsyncIterable<unknown>, max = 50): Promise<void> {
  let n = 0
  for await (const _ of items) if (++n >= max) break
}
