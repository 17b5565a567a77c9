import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Machine, ProvisionClient, TemplateInfo } from '../../src/index.js'
import type { MockProvision, Obj } from '../../src/mock/index.js'
import { onCleanup } from '../helpers.js'

/** A task: a shell script body (run with sane exit codes) or explicit templates. */
export type TaskSpec = string | { templates: TemplateInfo[]; sane?: boolean }

/** What to create on the fake before an agent runs. */
export interface WorldSpec {
  tasks: Record<string, TaskSpec>
  stages: Record<string, { tasks?: string[]; bootEnv?: string; reboot?: boolean }>
  bootenvs?: string[]
  stage: string
  changeStageMap?: Record<string, string>
  meta?: Record<string, string>
}

/** A temporary directory removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'wharf-agent-'))
  onCleanup(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** Creates tasks, bootenvs, stages and one machine in the given stage. */
export async function world(client: ProvisionClient, spec: WorldSpec): Promise<Machine> {
  for (const [name, task] of Object.entries(spec.tasks)) {
    const t = typeof task === 'string' ? { templates: [{ Name: 'run', Contents: task }] } : task
    await client.createModel('tasks', {
      Name: name,
      Templates: t.templates,
      Meta: t.sane === false ? {} : { 'feature-flags': 'sane-exit-codes' },
    })
  }
  for (const name of spec.bootenvs ?? []) {
    await client.createModel('bootenvs', { Name: name, OS: { Name: name } })
  }
  for (const [name, stage] of Object.entries(spec.stages)) {
    await client.createModel('stages', {
      Name: name,
      Tasks: stage.tasks ?? [],
      BootEnv: stage.bootEnv ?? '',
      Reboot: stage.reboot ?? false,
    })
  }
  return client.createModel('machines', {
    Name: 'node1.example.com',
    Stage: spec.stage,
    Params: spec.changeStageMap ? { 'change-stage/map': spec.changeStageMap } : {},
    Meta: spec.meta ?? {},
  })
}

/** A machine in an empty stage `idle`, not runnable: an agent only waits on it. */
export async function idleMachine(client: ProvisionClient): Promise<Machine> {
  const machine = await world(client, {
    tasks: {},
    stages: { idle: {} },
    stage: 'idle',
    meta: { 'feature-flags': 'change-stage-v2' },
  })
  return client.patchModel('machines', machine.Uuid!, [
    { op: 'replace', path: '/Runnable', value: false },
  ])
}

/** `#!/bin/sh` plus the given lines. */
export const sh = (...lines: string[]) => `#!/bin/sh\n${lines.join('\n')}\n`

/** A logger collecting everything into `text`. */
export function collector(): { text: string; logger: (t: string) => void } {
  const out = { text: '', logger: (t: string) => void (out.text += t) }
  return out
}

/** The machine's jobs oldest first, following `Previous` back from `CurrentJob`. */
export function jobChain(mock: MockProvision, machine: string): Obj[] {
  const jobs = new Map(mock.objects('jobs').map((j) => [j.Uuid as string, j]))
  const out: Obj[] = []
  let at = jobs.get(mock.object('machines', machine)?.CurrentJob)
  for (let i = 0; at && i < 1000; i++) {
    out.unshift(at)
    at = jobs.get(at.Previous)
  }
  return out
}

/** The job log of `job` as text. */
export function jobLogText(mock: MockProvision, job: string): string {
  const parts = mock.store.jobLogs.get(job) ?? []
  return parts.map((p) => new TextDecoder().decode(p)).join('')
}
