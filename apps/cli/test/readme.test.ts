import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { wharf } from './helpers.js'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

it('the README documents every command the CLI has', async () => {
  const groups = ['oci', 'docker', 'library', 'charm', 'drp']
  for (const group of groups) {
    const help = await wharf([group, '--help'])
    const commands = [...help.stdout.matchAll(/^ {2}([a-z]+)\b/gm)]
      .map((m) => m[1]!)
      .filter((c) => c !== 'help')
    expect(commands.length).toBeGreaterThan(2)
    const section = readme.slice(readme.indexOf(`## \`wharf ${group}\``))
    for (const command of commands)
      expect(section, `${group} ${command}`).toMatch(new RegExp(`\\| \`${command}\\b`))
  }
})
