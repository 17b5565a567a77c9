import { MockError } from './reply.js'
import type { Obj, Rules, Store } from './store.js'

const NAME = /^\p{L}+([- _.]+|\p{N}+|\p{L}+)+$/u
const MACHINE_NAME = /^(\p{L}|\p{N})+([- _.]+|\p{N}+|\p{L}+)+$/u
const PARAM_NAME = /^\p{L}+([- _./]+|\p{N}+|\p{L}+)+$/u

function named(pattern: RegExp, field = 'Name'): (o: Obj) => string[] {
  return (o) => (pattern.test(String(o[field] ?? '')) ? [] : [`Invalid ${field} \`${o[field]}\``])
}

function missing(store: Store, prefix: string, names: unknown, label: string): string[] {
  if (!Array.isArray(names)) return []
  return names
    .filter((n) => typeof n === 'string' && !store.collection(prefix).has(n))
    .map((n, i) => `${label} ${n} (at ${i}) does not exist`)
}

function exists(store: Store, prefix: string, name: unknown, label: string): string[] {
  return typeof name === 'string' && name !== '' && !store.collection(prefix).has(name)
    ? [`${label} ${name} does not exist`]
    : []
}

function inUse(store: Store, prefix: string, field: string, name: string): string[] {
  return [...store.collection(prefix).values()]
    .filter((o) => (Array.isArray(o[field]) ? o[field].includes(name) : o[field] === name))
    .map((o) => `${o.Name ?? o.Uuid}`)
}

// On create a stage without tasks keeps the client's tasks; a stage change replaces them (§17).
function stageApply(store: Store, machine: Obj, replaceTasks = false): void {
  const stage = store.collection('stages').get(machine.Stage)
  if (!stage) return
  if (stage.BootEnv) machine.BootEnv = stage.BootEnv
  const tasks = Array.isArray(stage.Tasks) ? stage.Tasks : []
  if (replaceTasks || tasks.length) machine.Tasks = [...tasks]
  machine.CurrentTask = -1
}

/**
 * A workflow's task list (§17): per stage `stage:S`, `bootenv:E` when the stage's bootenv
 * differs from the last one appended, then the stage's tasks. The machine starts on the first
 * stage (and its bootenv) with CurrentTask -1.
 */
function workflowApply(store: Store, machine: Obj): void {
  const workflow = store.collection('workflows').get(machine.Workflow)
  if (!workflow) return // validation reports the missing workflow
  const stages: string[] = Array.isArray(workflow.Stages) ? workflow.Stages : []
  const tasks: string[] = []
  let lastBootEnv = ''
  for (const name of stages) {
    const stage = store.collection('stages').get(name)
    tasks.push(`stage:${name}`)
    if (stage?.BootEnv && stage.BootEnv !== lastBootEnv) {
      tasks.push(`bootenv:${stage.BootEnv}`)
      lastBootEnv = stage.BootEnv
    }
    if (Array.isArray(stage?.Tasks)) tasks.push(...stage.Tasks)
  }
  machine.Tasks = tasks
  machine.CurrentTask = -1
  if (stages.length) {
    machine.Stage = stages[0]
    const first = store.collection('stages').get(stages[0]!)
    if (first?.BootEnv) machine.BootEnv = first.BootEnv
  }
}

const simple = (pattern: RegExp, field = 'Name'): Rules => ({
  validate: (o) => ({ structural: named(pattern, field)(o), references: [] }),
})

/** Per-model server rules (§17, trimmed to what the fake needs). */
export const RULES: Record<string, Rules> = {
  machines: {
    create(m, store) {
      if (!m.Uuid) m.Uuid = store.sources.uuid()
      m.Workflow ||= store.prefs.defaultWorkflow ?? ''
      m.Stage ||= store.prefs.defaultStage ?? 'none'
      m.BootEnv ||= store.prefs.defaultBootEnv ?? 'local'
      m.Secret ||= store.sources.secret()
      if (m.Workflow) workflowApply(store, m)
      else stageApply(store, m)
      m.CurrentTask = -1
      m.Runnable = true
    },
    update(old, next, store) {
      const workflow = next.Workflow ?? ''
      if (workflow !== (old.Workflow ?? '')) {
        if (workflow) workflowApply(store, next)
        else {
          // Leaving a workflow: its stage map goes and the machine returns to stage none.
          const { 'change-stage/map': _map, ...params } = next.Params ?? {}
          next.Params = params
          next.Stage = 'none'
          stageApply(store, next, true)
        }
      } else if (workflow) {
        // Under a workflow only the job engine moves Stage and BootEnv (its saves skip these rules).
        const refused = [
          ...((next.Stage || 'none') !== old.Stage ? ['Changing machine stage not allowed'] : []),
          ...(next.BootEnv !== old.BootEnv ? ['Changing machine bootenv not allowed'] : []),
        ]
        if (refused.length)
          throw new MockError(422, 'ValidationError', refused, 'machines', old.Uuid)
      } else if ((next.Stage || 'none') !== old.Stage) {
        next.Stage ||= 'none'
        stageApply(store, next, true)
      }
      if (next.BootEnv !== old.BootEnv) next.Runnable = false
      next.Secret ||= old.Secret
    },
    validate(m, store) {
      const structural = m.Name ? named(MACHINE_NAME)(m) : []
      const references = [
        ...exists(store, 'stages', m.Stage, 'Stage'),
        ...exists(store, 'bootenvs', m.BootEnv, 'Bootenv'),
        ...missing(store, 'profiles', m.Profiles, 'Profile'),
        ...exists(store, 'workflows', m.Workflow, 'Workflow'),
      ]
      return { structural, references }
    },
  },
  bootenvs: {
    validate(b, store) {
      const references =
        b.Kernel && b.OS?.IsoFile && !store.isos.has(b.OS.IsoFile)
          ? [`Explode ISO: iso does not exist: /isos/${b.OS.IsoFile}`]
          : []
      return { structural: named(NAME)(b), references }
    },
    beforeDelete(key, _b, store) {
      const users = [
        ...inUse(store, 'machines', 'BootEnv', key).map(
          (m) => `Bootenv ${key} in use by Machine ${m}`,
        ),
        ...inUse(store, 'stages', 'BootEnv', key).map((s) => `Bootenv ${key} in use by Stage ${s}`),
      ]
      if (users.length) throw new MockError(409, 'StillInUseError', users, 'bootenvs', key)
    },
  },
  stages: {
    validate(s, store) {
      return {
        structural: named(NAME)(s),
        references: [
          ...exists(store, 'bootenvs', s.BootEnv, 'BootEnv'),
          ...missing(store, 'tasks', s.Tasks, 'Task'),
          ...missing(store, 'profiles', s.Profiles, 'Profile'),
        ],
      }
    },
    beforeDelete(key, _s, store) {
      const users = [
        ...inUse(store, 'machines', 'Stage', key).map((m) => `Stage ${key} in use by Machine ${m}`),
        ...inUse(store, 'workflows', 'Stages', key).map(
          (w) => `Stage ${key} in use by Workflow ${w}`,
        ),
      ]
      if (users.length) throw new MockError(409, 'StillInUseError', users, 'stages', key)
    },
  },
  tasks: {
    ...simple(NAME),
    beforeDelete(key, _t, store) {
      const users = inUse(store, 'stages', 'Tasks', key).map((s) => `stages:${s} still uses ${key}`)
      if (users.length) throw new MockError(409, 'StillInUseError', users, 'tasks', key)
    },
  },
  profiles: {
    ...simple(NAME),
    beforeDelete(key, _p, store) {
      const problems =
        key === 'global'
          ? ['Profile global is the global profile, you cannot delete it']
          : inUse(store, 'machines', 'Profiles', key).map(
              (m) => `Machine ${m} is using profile ${key}`,
            )
      if (problems.length) throw new MockError(422, 'ValidationError', problems, 'profiles', key)
    },
  },
  workflows: {
    validate: (w, store) => ({
      structural: named(NAME)(w),
      references: missing(store, 'stages', w.Stages, 'Stage'),
    }),
  },
  jobs: {
    validate(j) {
      const structural: string[] = []
      if (!['created', 'running', 'failed', 'finished', 'incomplete'].includes(j.State)) {
        structural.push(`Invalid State \`${j.State}\``)
      }
      if (!['', 'complete', 'failed', 'reboot', 'poweroff', 'stop'].includes(j.ExitState)) {
        structural.push(`Invalid ExitState \`${j.ExitState}\``)
      }
      return { structural, references: [] }
    },
    update(old, next, store) {
      next.Current = old.Current
      if (next.State !== old.State && (next.State === 'created' || next.State === 'running')) {
        next.StartTime = store.sources.now().toISOString()
      }
      if (
        (next.State === 'finished' || next.State === 'failed') &&
        next.EndTime === '0001-01-01T00:00:00Z'
      ) {
        next.EndTime = store.sources.now().toISOString()
      }
    },
    beforeDelete(key, j, store) {
      const deletable =
        j.State === 'finished' ||
        j.State === 'failed' ||
        !store.collection('machines').has(j.Machine) ||
        [...store.collection('jobs').values()].some((o) => o.Previous === key)
      if (!deletable) {
        throw new MockError(
          422,
          'ValidationError',
          `Jobs ${key} is not in a deletable state: ${j.State}`,
          'jobs',
          key,
        )
      }
    },
  },
  templates: simple(NAME, 'ID'),
  params: simple(PARAM_NAME),
  subnets: simple(NAME),
  users: simple(NAME),
  roles: simple(NAME),
  tenants: simple(NAME),
  plugins: simple(NAME),
}
