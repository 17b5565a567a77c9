import { RequestBuildError } from './errors.js'

/** The API base path. */
export const API_PATH = '/api/v3'

/**
 * Joins path segments like Go's `path.Join` under `/api/v3`: empty segments, `.` and `..`
 * are cleaned, `/` and `:` stay literal, characters illegal in a path are percent-encoded.
 */
export function apiPath(...segments: string[]): string {
  const out: string[] = []
  for (const segment of segments) {
    for (const part of String(segment).split('/')) {
      if (part === '' || part === '.') continue
      if (part === '..') {
        out.pop()
        continue
      }
      out.push(encodePathPart(part))
    }
  }
  return `${API_PATH}/${out.join('/')}`.replace(/\/$/, '') || API_PATH
}

function encodePathPart(part: string): string {
  if ([...part].some((c) => c.charCodeAt(0) < 0x20)) {
    throw new RequestBuildError(`control character in path segment ${JSON.stringify(part)}`)
  }
  return [...part]
    .map((c) =>
      c.charCodeAt(0) > 0x7e || '%?# "<>\\^`{|}'.includes(c) ? encodeURIComponent(c) : c,
    )
    .join('')
}
