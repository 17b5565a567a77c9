/** Ids as the store's router sees them (written from the API reference, independent of the client). */

/** The series the store knows; a path element in this set after `~user` is a series. */
export const KNOWN_SERIES = new Set(
  (
    'bundle oneiric precise quantal raring saucy trusty utopic vivid wily xenial yakkety zesty ' +
    'artful bionic cosmic disco eoan focal groovy hirsute impish win2012hvr2 win2012hv win2012r2 ' +
    'win2012 win2016 win2016hv win2016nano win7 win8 win81 win10 centos7 kubernetes'
  ).split(' '),
)

/** A parsed id; revision -1 when absent. */
export interface Ref {
  user: string
  series: string
  name: string
  revision: number
}

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]*[a-z][a-z0-9]*)*$/

function nameAndRevision(text: string): { name: string; revision: number } | undefined {
  const m = /^(.*?)(?:-(\d+))?$/.exec(text)!
  const name = m[1]!
  if (!NAME.test(name)) return undefined
  return { name, revision: m[2] === undefined ? -1 : Number(m[2]) }
}

/** Splits `/[~user/][series/]name[-rev]/rest…` the way the store router does. */
export function splitId(elems: string[]): { ref: Ref; rest: string[] } | undefined {
  let i = 0
  let user = ''
  if (elems[0]?.startsWith('~')) {
    user = elems[0].slice(1)
    i = 1
  }
  let series = ''
  if (elems[i] !== undefined && KNOWN_SERIES.has(elems[i]!) && elems[i + 1] !== undefined) {
    series = elems[i]!
    i++
  }
  const nr = elems[i] === undefined ? undefined : nameAndRevision(elems[i]!)
  if (!nr || (elems[0]?.startsWith('~') && user === '')) return undefined
  return { ref: { user, series, ...nr }, rest: elems.slice(i + 1) }
}

/** Parses an id string (`cs:~bob/trusty/wordpress-3`, `wordpress`) as sent in `id=` params. */
export function parseIdString(text: string): Ref | undefined {
  const body = text.startsWith('cs:') ? text.slice(3) : text
  const split = splitId(body.split('/'))
  return split && split.rest.length === 0 ? split.ref : undefined
}

/** `cs:[~user/][series/]name[-rev]` */
export function formatRef(ref: Ref): string {
  return `cs:${ref.user ? `~${ref.user}/` : ''}${ref.series ? `${ref.series}/` : ''}${ref.name}${ref.revision >= 0 ? `-${ref.revision}` : ''}`
}

/** Preference of a series when resolving an id without one (multi-series first, bundles last). */
export function seriesScore(series: string): number {
  const ubuntu = ['precise', 'trusty', 'xenial', 'bionic', 'focal']
  if (series === '') return 5000
  if (series === 'bundle') return -1
  const at = ubuntu.indexOf(series)
  if (at >= 0) return 1001 + at
  return KNOWN_SERIES.has(series) ? 1 : 0
}
