import { access, mkdir, mkdtemp, rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { ProvisionClient } from '../client.js'
import type { Job, JobAction, Machine, Task } from '../models.js'
import { TaskRunnerError } from './errors.js'
import { type ExitFlags, interpretExit } from './exit-codes.js'
import { expandAction } from './expand.js'
import { type AgentLogger, JobLogForwarder } from './job-log.js'
import { performAction, SCRIPT_PATH } from './perform.js'

/** Options of {@link createTaskRunner}. */
export interface TaskRunnerOptions {
  /** Directory under which each job gets its own working directory (`<task>-XXXXXX`). */
  agentDir: string
  /** Keep each job's working directory after the job (default: removed). */
  keepJobDirs?: boolean
  /** Root for template actions with absolute paths; without it such paths are refused. */
  chrootDir?: string
  /** Local log sink (default: nothing). */
  logger?: AgentLogger
  /** Longest run of one script in ms (default 1 h). */
  scriptTimeout?: number
  /** The OS asked for in `/jobs/{id}/actions?os=` (default: this platform's Go name). */
  targetOS?: string
  /** Extra variables for every script, on top of the scrubbed base and the job's variables. */
  env?: Record<string, string>
  /** Kills the running script and fails the job. */
  signal?: AbortSignal
}

/** How a task run ended. */
export interface TaskResult extends ExitFlags {
  /** The job as the final PATCH left it. */
  job: Job
  /** `finished`, `failed` or `incomplete`. */
  state: 'finished' | 'failed' | 'incomplete'
  /** `complete`, `failed`, `reboot`, `poweroff` or `stop`. */
  exitState: 'complete' | 'failed' | 'reboot' | 'poweroff' | 'stop'
}

const GO_OS: Record<string, string> = { win32: 'windows', sunos: 'solaris' }

/** This platform under Go's `GOOS` name (`linux`, `darwin`, `windows` …). */
export function goOS(): string {
  return GO_OS[process.platform] ?? process.platform
}

function validForOS(action: JobAction, os: string): boolean {
  const list = action.Meta?.OS
  if (!list) return true
  const names = list.split(',').map((s) => s.trim())
  return names.includes(os) || names.includes('any')
}

function finalStates(flags: ExitFlags): Pick<TaskResult, 'state' | 'exitState'> {
  const state = flags.failed ? 'failed' : flags.incomplete ? 'incomplete' : 'finished'
  const exitState = flags.reboot
    ? 'reboot'
    : flags.poweroff
      ? 'poweroff'
      : flags.stop
        ? 'stop'
        : flags.failed
          ? 'failed'
          : 'complete'
  return { state, exitState }
}

/**
 * Runs the job of a machine's current task (the seed's `TaskRunner`): writes template actions
 * (`expand`), runs script actions (`perform`), streams their output to the job log and the
 * local logger, decodes exit codes and sets the job's final state. Made by
 * {@link createTaskRunner}.
 */
export class TaskRunner {
  /** The job being run. */
  readonly job: Job
  /** Its task (for feature flags). */
  readonly task: Task
  readonly #client: ProvisionClient
  readonly #machine: Machine
  readonly #options: TaskRunnerOptions
  readonly #log: JobLogForwarder
  #final: Job | undefined

  /** @internal Use {@link createTaskRunner}. */
  constructor(
    client: ProvisionClient,
    machine: Machine,
    job: Job,
    task: Task,
    options: TaskRunnerOptions,
  ) {
    this.#client = client
    this.#machine = machine
    this.job = job
    this.task = task
    this.#options = options
    this.#log = new JobLogForwarder(client, job.Uuid as string, options.logger ?? (() => {}))
  }

  /** Writes a line (with a timestamp) to the job log and the local logger. */
  log(message: string): Promise<void> {
    return this.#log.write(`${new Date().toISOString()} ${message}\n`)
  }

  /** Writes one template action; paths cannot leave the job directory (or the chroot). */
  expand(action: JobAction, jobDir: string): Promise<string> {
    return expandAction(action, { jobDir, chrootDir: this.#options.chrootDir })
  }

  /** Runs one script action and decodes its exit code. */
  async perform(action: JobAction, jobDir: string): Promise<ExitFlags> {
    const timeout = this.#options.scriptTimeout ?? 3_600_000
    const result = await performAction(action, {
      jobDir,
      task: this.job.Task ?? 'task',
      env: this.#env(jobDir),
      timeout,
      signal: this.#options.signal,
      output: (chunk) => this.#log.write(chunk),
    })
    if (result.startError)
      await this.log(`Command ${action.Name} could not start: ${result.startError.message}`)
    if (result.timedOut) await this.log(`Command ${action.Name} killed after ${timeout} ms`)
    if (result.aborted) await this.log(`Command ${action.Name} killed: the agent is stopping`)
    const sane = await this.#saneExitCodes(jobDir)
    await this.log(`Command ${action.Name} exited with ${result.code ?? 'no code'}`)
    return interpretExit(result.code, sane)
  }

  /** Runs every action of the job and sets its final state; task failures are not errors. */
  async run(): Promise<TaskResult> {
    const flags: ExitFlags = {
      failed: false,
      incomplete: true,
      reboot: false,
      poweroff: false,
      stop: false,
    }
    const uuid = this.job.Uuid as string
    let failure: unknown
    let jobDir: string | undefined
    try {
      await this.#client
        .patchModel('jobs', uuid, [
          { op: 'test', path: '/State', value: this.job.State },
          { op: 'replace', path: '/State', value: 'running' },
        ])
        .catch((cause) => {
          throw new TaskRunnerError(`job ${uuid}: could not mark it running`, { cause })
        })
      const j = this.job
      await this.log(
        `Starting task ${j.Workflow ?? ''}:${j.Stage ?? ''}:${j.Task} on ${this.#machine.Name}`,
      )
      const os = this.#options.targetOS ?? goOS()
      const actions = (await this.#client.jobActions(uuid, os)).filter((a) => validForOS(a, os))
      await mkdir(this.#options.agentDir, { recursive: true, mode: 0o700 })
      jobDir = await mkdtemp(join(this.#options.agentDir, `${safeTask(j.Task)}-`))
      Object.assign(flags, await this.#actions(actions, jobDir))
    } catch (error) {
      flags.failed = true
      failure = error
      await this.log(`Task runner error: ${error instanceof Error ? error.message : String(error)}`)
    } finally {
      await this.#finish(flags)
      if (jobDir && !this.#options.keepJobDirs) await rm(jobDir, { recursive: true, force: true })
    }
    if (failure instanceof TaskRunnerError) throw failure
    if (failure !== undefined)
      throw new TaskRunnerError(`job ${uuid}: ${String(failure)}`, { cause: failure })
    return { ...flags, ...finalStates(flags), job: this.#final ?? this.job }
  }

  async #actions(actions: JobAction[], jobDir: string): Promise<ExitFlags> {
    for (const [i, action] of actions.entries()) {
      const last = i === actions.length - 1
      if (action.Path) {
        const file = await this.expand(action, jobDir)
        await this.log(`Wrote ${action.Name} to ${file}`)
        continue
      }
      await this.log(`Running command ${action.Name}`)
      const f = await this.perform(action, jobDir)
      if (f.failed) return f
      if (f.reboot || f.poweroff || f.stop) return { ...f, incomplete: !last }
      if (f.incomplete && !last) return { ...f, incomplete: false }
      if (f.incomplete) return f
    }
    return { failed: false, incomplete: false, reboot: false, poweroff: false, stop: false }
  }

  async #finish(flags: ExitFlags): Promise<void> {
    const { state, exitState } = finalStates(flags)
    const uuid = this.job.Uuid as string
    if (flags.failed || flags.incomplete || flags.reboot || flags.poweroff || flags.stop) {
      await this.#client
        .patchModel('machines', this.#machine.Uuid as string, [
          { op: 'replace', path: '/Runnable', value: false },
        ])
        .catch((error) => this.log(`Could not mark the machine not runnable: ${String(error)}`))
    }
    await this.log(`Task ${this.job.Task} ${state} (${exitState})`)
    this.#final = await this.#client
      .patchModel('jobs', uuid, [
        { op: 'test', path: '/State', value: 'running' },
        { op: 'replace', path: '/State', value: state },
        { op: 'replace', path: '/ExitState', value: exitState },
      ])
      .catch(async (error) => {
        await this.log(`Could not set the final job state: ${String(error)}`)
        return undefined
      })
    await this.close()
  }

  /** Flushes the job log. */
  close(): Promise<void> {
    return this.#log.close()
  }

  async #saneExitCodes(jobDir: string): Promise<boolean> {
    const flags = (this.task.Meta?.['feature-flags'] ?? '').split(',').map((f) => f.trim())
    if (flags.includes('sane-exit-codes')) return true
    return access(join(jobDir, '.sane-exit-codes')).then(
      () => true,
      () => false,
    )
  }

  #env(jobDir: string): Record<string, string> {
    const j = this.job
    return {
      PATH: SCRIPT_PATH,
      LANG: 'C',
      HOME: jobDir,
      RS_ENDPOINT: this.#client.endpoint,
      RS_UUID: this.#machine.Uuid ?? '',
      RS_JOB_UUID: j.Uuid ?? '',
      RS_TASK: j.Task ?? '',
      RS_STAGE: j.Stage ?? '',
      RS_BOOTENV: j.BootEnv ?? '',
      RS_WORKFLOW: j.Workflow ?? '',
      RS_TASK_DIR: jobDir,
      RS_RUNNER_DIR: this.#options.agentDir,
      ...this.#options.env,
    }
  }
}

const safeTask = (task: string | undefined) => (task ?? 'task').replace(/[^A-Za-z0-9._-]/g, '_')

/**
 * Creates the runner for a machine's next job: `POST /jobs` (a new job, or the incomplete one
 * again) and `GET /tasks/{name}`. Resolves to undefined when there is nothing to run.
 */
export async function createTaskRunner(
  client: ProvisionClient,
  machine: Machine,
  options: TaskRunnerOptions,
): Promise<TaskRunner | undefined> {
  const checked = checkRunnerOptions(options)
  if (!machine?.Uuid) throw new TaskRunnerError('createTaskRunner needs a machine with a Uuid')
  const job = await client.createJob(machine.Uuid)
  if (!job?.State) return undefined
  if (job.State !== 'created' && job.State !== 'incomplete') {
    throw new TaskRunnerError(`invalid job state returned: ${job.State}`)
  }
  const task = await client.getModel('tasks', job.Task as string)
  return new TaskRunner(client, machine, job, task, checked)
}

/**
 * Validates runner options: `agentDir` must be a non-empty string (made absolute), the timeout
 * a positive number of ms. Throws a {@link TaskRunnerError} naming the bad option.
 */
export function checkRunnerOptions<T extends TaskRunnerOptions>(options: T): T {
  if (typeof options?.agentDir !== 'string' || options.agentDir === '') {
    throw new TaskRunnerError('agentDir must be a directory path')
  }
  const t = options.scriptTimeout
  if (t !== undefined && !(typeof t === 'number' && t > 0 && Number.isFinite(t))) {
    throw new TaskRunnerError(`scriptTimeout must be a positive number of ms, not ${t}`)
  }
  const chrootDir = options.chrootDir === undefined ? undefined : resolve(options.chrootDir)
  return { ...options, agentDir: resolve(options.agentDir), chrootDir }
}
