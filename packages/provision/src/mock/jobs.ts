import { bytes, empty, json, MockError } from './reply.js'
import type { Obj, Store } from './store.js'

const ZERO_UUID = '00000000-0000-0000-0000-000000000000'
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v))
const encoder = new TextEncoder()

function newJob(store: Store, m: Obj, t: number, previous: string, fields: Obj): Obj {
  const now = store.sources.now().toISOString()
  return {
    Uuid: store.sources.uuid(),
    Previous: previous,
    Machine: m.Uuid,
    Task: m.Tasks[t],
    Stage: m.Stage,
    BootEnv: m.BootEnv,
    Workflow: m.Workflow,
    CurrentIndex: t,
    NextIndex: t + 1,
    StartTime: now,
    Current: true,
    ...fields,
  }
}

function commitJob(store: Store, job: Obj, logLine: string): Obj {
  for (const [key, other] of store.collection('jobs')) {
    if (other.Machine === job.Machine && other.Current) {
      store.save('jobs', key, { ...other, Current: false })
    }
  }
  const created = store.create('jobs', job)
  store.jobLogs.set(created.Uuid, [encoder.encode(`Log for Job: ${created.Uuid}\n${logLine}`)])
  return created
}

/** `POST /jobs`: the "next job for this machine" algorithm of §14.1. */
export function createJob(store: Store, body: unknown): Response {
  const machine = typeof body === 'object' && body !== null ? (body as Obj).Machine : undefined
  if (!machine) throw new MockError(400, 'POST', 'Create request must have Machine field', 'jobs')
  const stored = store.collection('machines').get(machine)
  if (!stored)
    throw new MockError(422, 'ValidationError', `Machine ${machine} does not exist`, 'jobs')
  if (!(stored.Runnable && stored.Available)) {
    throw new MockError(409, 'Conflict', `Machine ${machine} is not runnable`, 'jobs')
  }
  const m = clone(stored)
  const tasks: string[] = m.Tasks
  let cj: Obj = store.collection('jobs').get(m.CurrentJob) ?? {
    Uuid: m.CurrentJob || ZERO_UUID,
    State: 'failed',
    CurrentIndex: 0,
  }
  if (m.CurrentTask >= tasks.length) return empty(204)
  let t: number = m.CurrentTask
  if (cj.CurrentIndex !== m.CurrentTask && cj.State !== 'finished' && cj.State !== 'failed') {
    store.update('jobs', cj.Uuid, { ...cj, State: 'failed', ExitState: 'failed' })
  } else if (cj.State === 'incomplete') return json(cj, 202)
  else if (cj.State === 'finished') t += 1
  else if (cj.State !== 'failed') {
    throw new MockError(
      409,
      'Conflict',
      `Machine ${machine} already has running or created job`,
      'jobs',
    )
  }
  if (t === -1) t = 0
  const save = () => store.save('machines', m.Uuid, m)
  if (t >= tasks.length) {
    m.CurrentTask = tasks.length
    save()
    return empty(204)
  }
  while (t < tasks.length && tasks[t]!.includes(':')) {
    const step = tasks[t]!
    const [kind, name] = [step.slice(0, step.indexOf(':')), step.slice(step.indexOf(':') + 1)]
    const field = kind === 'stage' ? 'Stage' : 'BootEnv'
    if (m[field] === name) {
      t++
      continue
    }
    const from = m[field]
    m[field] = name
    const now = store.sources.now().toISOString()
    cj = commitJob(
      store,
      newJob(store, m, t, cj.Uuid, { State: 'finished', ExitState: 'complete', EndTime: now }),
      `Machine ${m.Uuid} changing from ${kind} ${from} to ${name}\n`,
    )
    m.CurrentJob = cj.Uuid
    break
  }
  m.CurrentTask = t
  if (m.Stage !== stored.Stage || m.BootEnv !== stored.BootEnv) {
    if (m.Stage !== stored.Stage)
      m.Params = { ...m.Params, 'change-stage/map': { [stored.Stage]: m.Stage } }
    if (m.BootEnv !== stored.BootEnv) m.Runnable = false
    save()
    return empty(204)
  }
  if (t >= tasks.length) {
    save()
    return empty(204)
  }
  const job = commitJob(store, newJob(store, m, t, cj.Uuid, { State: 'created' }), '')
  m.CurrentJob = job.Uuid
  save()
  return json(job, 201)
}

/** `GET /jobs/{id}/log`: the whole log as octet-stream. */
export function getJobLog(store: Store, key: string): Response {
  const parts = store.jobLogs.get(key) ?? []
  const size = parts.reduce((n, p) => n + p.byteLength, 0)
  const out = new Uint8Array(size)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.byteLength
  }
  return bytes(out)
}

/** `PUT /jobs/{id}/log`: appends raw bytes; the content type must be exactly octet-stream. */
export function appendJobLog(
  store: Store,
  key: string,
  type: string | null,
  data: Uint8Array,
): Response {
  if (type !== 'application/octet-stream') {
    throw new MockError(
      415,
      'API ERROR',
      'job log put must have content-type application/octet-stream',
    )
  }
  const parts = store.jobLogs.get(key) ?? []
  parts.push(data)
  store.jobLogs.set(key, parts)
  return empty(204)
}

/** `GET /jobs/{id}/actions[?os=]`: the task's templates, raw (no Go template rendering). */
export function jobActions(store: Store, job: Obj, os: string | null): Response {
  const task = store.collection('tasks').get(job.Task)
  if (!task)
    throw new MockError(422, 'ValidationError', `Task ${job.Task} does not exist`, 'jobs', job.Uuid)
  if (!store.collection('machines').has(job.Machine)) {
    throw new MockError(
      422,
      'ValidationError',
      `Machine ${job.Machine} does not exist`,
      'jobs',
      job.Uuid,
    )
  }
  const actions = (task.Templates as Obj[])
    .filter((t) => {
      if (os === null || !t.Meta?.OS) return true
      const list = String(t.Meta.OS)
        .split(',')
        .map((s) => s.trim())
      return list.includes(os) || list.includes('any')
    })
    .map((t) => ({
      Name: t.Name,
      Path: t.Path ?? '',
      Content: t.ID
        ? (store.collection('templates').get(t.ID)?.Contents ?? '')
        : (t.Contents ?? ''),
      Meta: t.Meta ?? {},
    }))
  return json(actions)
}
