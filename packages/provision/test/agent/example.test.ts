import { expect, it } from 'vitest'

it('the README example runs a machine agent through two tasks into the next stage', async () => {
  const { end, output, stage } = await import('../../examples/agent.js')
  expect([end, stage]).toEqual(['EXIT', 'ready'])
  expect(output).toMatch(/hello from say-hello on [0-9a-f-]{36}/)
  expect(output).toContain('provisioned')
})
