import type { Context } from './io.js'

/** The progress events of @wharf/transfer that the CLI renders. */
export type ProgressLike =
  | { type: 'start'; total?: number }
  | { type: 'progress'; transferred: number; total?: number }
  | { type: 'done'; transferred: number }
  | { type: string; [key: string]: unknown }

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB']

/** Human size: 1.5 MB. */
export function formatBytes(n: number): string {
  let i = 0
  while (n >= 1000 && i < UNITS.length - 1) {
    n /= 1000
    i++
  }
  return `${i === 0 ? n : n.toFixed(1)} ${UNITS[i]}`
}

/**
 * A progress listener for one transfer: a redrawn bar (bytes, rate, ETA) when stderr is a
 * terminal, a few plain lines when it is not, nothing with -q or --json.
 */
export function progressBar(ctx: Context, label: string): (event: ProgressLike) => void {
  const { stderr } = ctx.io
  if (ctx.globals.quiet || ctx.globals.json) return () => {}
  const tty = Boolean(stderr.isTTY)
  const started = performance.now()
  let total: number | undefined
  let lastQuarter = -1
  let lastDraw = 0
  const render = (done: number, final: boolean) => {
    const seconds = Math.max((performance.now() - started) / 1000, 0.001)
    const rate = done / seconds
    const pct = total ? Math.min(100, Math.floor((done / total) * 100)) : undefined
    if (tty) {
      const now = performance.now()
      if (!final && now - lastDraw < 100) return
      lastDraw = now
      const width = 24
      const filled = pct === undefined ? 0 : Math.round((pct / 100) * width)
      const bar =
        pct === undefined ? '' : `[${'='.repeat(filled)}${' '.repeat(width - filled)}] ${pct}% `
      const eta = total && rate > 0 && !final ? ` ETA ${Math.ceil((total - done) / rate)}s` : ''
      stderr.write(
        `\r\x1b[K${label} ${bar}${formatBytes(done)}${total ? `/${formatBytes(total)}` : ''} ${formatBytes(rate)}/s${eta}`,
      )
      if (final) stderr.write('\n')
    } else {
      const quarter = pct === undefined ? 0 : Math.floor(pct / 25)
      if (!final && quarter === lastQuarter) return
      lastQuarter = quarter
      stderr.write(
        `${label}: ${formatBytes(done)}${total ? ` of ${formatBytes(total)}` : ''}${final ? ' done' : ''}\n`,
      )
    }
  }
  return (event) => {
    if (event.type === 'start') total = typeof event.total === 'number' ? event.total : undefined
    else if (event.type === 'progress') {
      if (typeof event.total === 'number') total = event.total
      render(event.transferred as number, false)
    } else if (event.type === 'done') render(event.transferred as number, true)
  }
}
