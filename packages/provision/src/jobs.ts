import type { Job, JobAction } from './models.js'
import type { Req } from './request.js'

/** The requests job helpers need. */
export interface JobContext {
  req(): Req
}

function jobKey(job: Job | string): string {
  return typeof job === 'string' ? job : (job.Uuid ?? '')
}

/**
 * `POST /jobs {Machine}`: the next job for a machine. Resolves to the new job (201), the
 * incomplete job to run again (202), or undefined when there is nothing to do (204).
 */
export async function createJob(c: JobContext, machine: string): Promise<Job | undefined> {
  return c.req().post({ Machine: machine }).urlFor('jobs').do<Job | undefined>()
}

/** `GET /jobs/{id}/log` streamed into `dest`. */
export async function jobLog(
  c: JobContext,
  job: Job | string,
  dest: WritableStream<Uint8Array>,
): Promise<void> {
  await c.req().urlFor('jobs', jobKey(job), 'log').do(dest)
}

/** `PUT /jobs/{id}/log`: appends raw bytes to the job log. */
export async function appendJobLog(
  c: JobContext,
  job: Job | string,
  data: Uint8Array | string,
): Promise<void> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data
  await c.req().put(bytes).urlFor('jobs', jobKey(job), 'log').do()
}

/** `GET /jobs/{id}/actions[?os=]`: the rendered templates of the job's task. */
export async function jobActions(
  c: JobContext,
  job: Job | string,
  targetOS?: string,
): Promise<JobAction[]> {
  const r = c.req().urlFor('jobs', jobKey(job), 'actions')
  if (targetOS) r.params('os', targetOS)
  return (await r.do<JobAction[]>()) ?? []
}
