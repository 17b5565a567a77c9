import { fileURLToPath } from 'node:url'
import { readmeExamples } from '@wharf/tooling/readme'
import { expect, it } from 'vitest'

const dir = fileURLToPath(new URL('..', import.meta.url))

it('README examples are the files that the tests run', () => {
  const examples = readmeExamples(dir)
  expect(examples.map((e) => e.file)).toEqual([
    'examples/login.ts',
    'examples/filter.ts',
    'examples/patch.ts',
    'examples/wait.ts',
    'examples/agent.ts',
  ])
  for (const e of examples) expect(e.inReadme).toBe(e.onDisk)
})

it('logs in against the real fake server', async () => {
  const { info } = await import('../examples/login.js')
  expect(info.version).toBe('v3.10.0')
})

it('lists with a filter, the same way with arguments and with the builder', async () => {
  const { names, fromBuilder } = await import('../examples/filter.js')
  expect(names).toEqual(['charlie.example.com', 'bravo.example.com'])
  expect(fromBuilder.map((m) => m.Name)).toEqual(names)
})

it('patches, and a stale paranoid patch conflicts', async () => {
  const { updated, conflict } = await import('../examples/patch.js')
  expect(updated).toMatchObject({ Description: 'rack 4', Params: { 'ntp-servers': ['10.0.0.1'] } })
  expect(conflict).toBe('Patch error at line 0: Test op failed.')
})

it('waits for a change and reads an event', async () => {
  const { result, created } = await import('../examples/wait.js')
  expect(result.status).toBe('complete')
  expect(created).toMatchObject({ Type: 'profiles', Action: 'create', Key: 'rack-4' })
})
