// Start-up cost of `wharf --help` over a bare `node -e 0`, median of 15 runs each.
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url))
const median = (args) => {
  const times = []
  for (let i = 0; i < 15; i++) {
    const t = performance.now()
    execFileSync(process.execPath, args, { stdio: 'ignore' })
    times.push(performance.now() - t)
  }
  return times.sort((a, b) => a - b)[7]
}
const bare = median(['-e', '0'])
const help = median([bin, '--help'])
console.log(
  `node -e 0: ${bare.toFixed(0)} ms; wharf --help: ${help.toFixed(0)} ms; overhead ${(help - bare).toFixed(0)} ms (target < 150 ms)`,
)
