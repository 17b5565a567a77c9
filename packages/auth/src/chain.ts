import type { AuthStrategy, HttpResponse, OutgoingRequest } from '@wharf/core-http'

/**
 * Combines strategies, tried in order: the first whose `authorize` adds or changes a header
 * authorizes the request; the first whose `challenge` answers true gets the resend; `close`
 * closes them all.
 */
export function chain(...strategies: AuthStrategy[]): AuthStrategy {
  return {
    async authorize(request: OutgoingRequest) {
      for (const strategy of strategies) {
        const before = [...request.headers].join('\n')
        await strategy.authorize(request)
        if ([...request.headers].join('\n') !== before) return
      }
    },
    async challenge(request: OutgoingRequest, response: HttpResponse) {
      for (const strategy of strategies) {
        if (await strategy.challenge?.(request, response)) return true
      }
      return false
    },
    async close() {
      const results = await Promise.allSettled(strategies.map((s) => s.close?.()))
      const failed = results.find((r) => r.status === 'rejected')
      if (failed) throw (failed as PromiseRejectedResult).reason
    },
  }
}
