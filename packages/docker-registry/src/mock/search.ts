import { json, v1Error } from './http.js'
import type { MockState } from './state.js'
import { checkBasic } from './v1-auth.js'

/**
 * `GET /v1/search?q=&n=&page=`: Hub search v1 over the mock's repositories — a
 * case-insensitive substring match on name and description, most stars first, official names
 * without `library/`, private repositories only for a logged-in user.
 */
export function search(state: MockState, request: Request): Response {
  const params = new URL(request.url).searchParams
  const query = params.get('q') ?? ''
  const n = Number(params.get('n') ?? 25)
  const page = Number(params.get('page') ?? 1)
  if (!Number.isInteger(n) || n < 1 || n > 100) return v1Error(400, 'n must be between 1 and 100')
  if (!Number.isInteger(page) || page < 1) return v1Error(400, 'page must be 1 or more')
  const basic = checkBasic(state, request)
  if (basic.kind === 'invalid') return v1Error(401, 'Wrong login/password')
  const term = query.toLowerCase()
  const hits = [...state.repositories.values()]
    .filter((r) => !r.private || basic.kind === 'user')
    .map((r) => ({
      name: r.name.startsWith('library/') ? r.name.slice('library/'.length) : r.name,
      description: r.description,
      star_count: r.starCount,
      is_official: r.official,
      is_automated: r.automated,
    }))
    .filter((r) => r.name.includes(term) || r.description.toLowerCase().includes(term))
    .sort((a, b) => b.star_count - a.star_count || a.name.localeCompare(b.name))
  return json({
    query,
    num_results: hits.length,
    num_pages: Math.ceil(hits.length / n),
    page,
    page_size: n,
    results: hits.slice((page - 1) * n, page * n),
  })
}
