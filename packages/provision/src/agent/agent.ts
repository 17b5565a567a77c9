import type { ProvisionClient } from '../client.js'
import type { EventStream } from '../events.js'
import type { Job, Machine, Stage } from '../models.js'
import { andItems, equalItem, type TestFunc, type WaitResult } from '../wait.js'
import { AgentError } from './errors.js'
import { checkRunnerOptions, createTaskRunner, type TaskRunnerOptions } from './runner.js'

/** The states of the agent's state machine (the seed's `AGENT_*`). */
export type AgentState =
  | 'INIT'
  | 'WAIT_FOR_RUNNABLE'
  | 'RUN_TASK'
  | 'WAIT_FOR_CHANGE_STAGE'
  | 'CHANGE_STAGE'
  | 'EXIT'
  | 'REBOOT'
  | 'POWEROFF'

/** A power action the agent may take. */
export type PowerAction = 'reboot' | 'poweroff'

/** Options of {@link createAgent}. */
export interface AgentOptions extends Omit<TaskRunnerOptions, 'signal'> {
  /** Exit when a wait for the machine times out (default false: wait again). */
  exitOnNotRunnable?: boolean
  /** Exit after a failed task or an agent error (default false: carry on). */
  exitOnFailure?: boolean
  /** Really reboot or power off; when false (the default) power actions are only logged. */
  actuallyPowerThings?: boolean
  /** Performs a power action when `actuallyPowerThings` is true (required then). */
  power?: (action: PowerAction) => Promise<void>
  /** Longest wait for a machine change, in ms (default 1 h). */
  timeout?: number
  /** Pause before starting over after an error, in ms (default 5 s; 30 s after INIT errors in Go). */
  retryDelay?: number
  /** State changes at most before the agent gives up (default 100 000). */
  maxTransitions?: number
  /** Called on every state change. */
  onState?: (state: AgentState) => void
}

const TERMINAL = new Set<AgentState>(['EXIT', 'REBOOT', 'POWEROFF'])

const machineDiffers = (old: Machine): TestFunc => {
  const json = (v: unknown) => JSON.stringify(v ?? null)
  return (item) => {
    const m = item as Machine
    return (
      m.Available === true &&
      (m.CurrentTask !== old.CurrentTask ||
        json(m.Tasks) !== json(old.Tasks) ||
        m.Runnable !== old.Runnable ||
        m.BootEnv !== old.BootEnv ||
        m.Stage !== old.Stage)
    )
  }
}

/**
 * The machine agent (the seed's `MachineAgent`): a state machine that waits on the event
 * stream for its machine to become runnable, runs its tasks one job at a time, follows the
 * `change-stage/map` param between stages, and ends in `EXIT`, `REBOOT` or `POWEROFF`.
 * Made by {@link createAgent}.
 */
export class MachineAgent {
  /** The machine as last read from the server. */
  machine: Machine
  /** The current state. */
  state: AgentState = 'INIT'
  /** The error that sent the agent to INIT or EXIT, if any. */
  lastError: unknown
  readonly #client: ProvisionClient
  readonly #options: AgentOptions
  readonly #stop = new AbortController()
  #events: EventStream | undefined
  #running = false

  /** @internal Use {@link createAgent}. */
  constructor(client: ProvisionClient, machine: Machine, options: AgentOptions) {
    this.#client = client
    this.machine = machine
    this.#options = options
  }

  /** Writes one line to the local logger. */
  logf(message: string): void {
    this.#options.logger?.(`${new Date().toISOString()} agent: ${message}\n`)
  }

  #go(state: AgentState): void {
    if (state !== this.state) this.logf(`${this.state} -> ${state}`)
    this.state = state
    this.#options.onState?.(state)
  }

  /**
   * Runs the state machine until EXIT, REBOOT or POWEROFF and resolves to that state; rejects
   * with the last error when the agent exits because of one.
   */
  async run(): Promise<AgentState> {
    if (this.#running) throw new AgentError('the agent is already running')
    this.#running = true
    try {
      if (TERMINAL.has(this.state)) this.state = 'INIT'
      return await this.#run()
    } finally {
      this.#running = false
    }
  }

  async #run(): Promise<AgentState> {
    if (!this.machine.Meta) this.machine = await this.#client.getModel('machines', this.#uuid)
    const flags = String(this.machine.Meta?.['feature-flags'] ?? '').split(',')
    if (!flags.includes('change-stage-v2') || flags.includes('original-change-stage')) {
      await this.#client
        .patchModel('machines', this.#uuid, [{ op: 'replace', path: '/Runnable', value: true }])
        .catch((cause) => {
          throw new AgentError('Failed to mark machine runnable.', { cause })
        })
    }
    const max = this.#options.maxTransitions ?? 100_000
    try {
      for (let step = 0; !TERMINAL.has(this.state); step++) {
        if (step >= max) {
          this.lastError = new AgentError(`gave up after ${max} state changes`)
          this.#go('EXIT')
        } else await this.#step()
      }
      if (this.state === 'REBOOT' || this.state === 'POWEROFF') {
        await this.#power(this.state === 'REBOOT' ? 'reboot' : 'poweroff')
      }
    } finally {
      await this.#events?.close()
      this.#events = undefined
    }
    if (this.lastError !== undefined) throw this.lastError
    return this.state
  }

  /** Interrupts waits and kills a running script; `run()` then ends in EXIT (for good). */
  stop(): void {
    this.#stop.abort()
  }

  async #step(): Promise<void> {
    if (this.#stop.signal.aborted && this.state !== 'INIT') return this.#go('EXIT')
    switch (this.state) {
      case 'INIT':
        return this.init()
      case 'WAIT_FOR_RUNNABLE':
        return this.waitRunnable()
      case 'RUN_TASK':
        return this.runTask()
      case 'WAIT_FOR_CHANGE_STAGE':
        return this.waitChangeStage()
      case 'CHANGE_STAGE':
        return this.changeStage()
    }
  }

  get #uuid(): string {
    return this.machine.Uuid as string
  }

  /**
   * Starts over: re-reads the machine, marks a job left `created`/`running` by an earlier agent
   * as failed, and opens a fresh event stream. Next: WAIT_FOR_RUNNABLE.
   */
  async init(): Promise<void> {
    this.lastError = undefined
    await this.#events?.close()
    this.#events = undefined
    try {
      this.machine = await this.#client.getModel('machines', this.#uuid)
      const current = this.machine.CurrentJob
      const job: Job | undefined = current
        ? await this.#client.getModel('jobs', current).catch(() => undefined)
        : undefined
      if (job && (job.State === 'created' || job.State === 'running')) {
        this.logf(`marking interrupted job ${current} (${job.Task}) failed`)
        await this.#client.patchModel('jobs', current as string, [
          { op: 'test', path: '/State', value: job.State },
          { op: 'replace', path: '/State', value: 'failed' },
          { op: 'replace', path: '/ExitState', value: 'failed' },
        ])
      }
      this.#events = await this.#client.events()
      this.#go('WAIT_FOR_RUNNABLE')
    } catch (error) {
      await this.#initOrExit(error)
    }
  }

  /** Waits until the machine is Available and Runnable. */
  async waitRunnable(): Promise<void> {
    await this.#wait(andItems(equalItem('Available', true), equalItem('Runnable', true)))
  }

  /** Waits until CurrentTask, Tasks, Runnable, BootEnv or Stage of the machine change. */
  async waitChangeStage(): Promise<void> {
    await this.#wait(machineDiffers(this.machine))
  }

  async #wait(test: TestFunc): Promise<void> {
    const events = this.#events
    if (!events) return this.#go('INIT')
    const result: WaitResult<Machine> = await events.waitFor<Machine>(
      'machines',
      this.#uuid,
      test,
      {
        timeout: this.#options.timeout ?? 3_600_000,
        signal: this.#stop.signal,
      },
    )
    switch (result.status) {
      case 'timeout':
        this.logf(`waited ${this.#options.timeout ?? 3_600_000} ms for the machine`)
        if (this.#options.exitOnNotRunnable) this.#go('EXIT')
        return
      case 'interrupt':
        return this.#go('EXIT')
      case 'failed':
        return this.#initOrExit(result.error)
    }
    const previous = this.machine
    this.machine = result.item
    if (previous.BootEnv !== result.item.BootEnv) return this.#rebootOrExit()
    this.#go(result.item.Runnable ? 'RUN_TASK' : 'WAIT_FOR_RUNNABLE')
  }

  /** Runs the machine's next job; with nothing to run goes on to CHANGE_STAGE (or waits). */
  async runTask(): Promise<void> {
    const { exitOnFailure } = this.#options
    try {
      const runner = await createTaskRunner(this.#client, this.machine, {
        ...this.#options,
        signal: this.#stop.signal,
      })
      if (!runner) return this.#go(this.machine.Workflow ? 'WAIT_FOR_CHANGE_STAGE' : 'CHANGE_STAGE')
      this.logf(`running task ${runner.job.Task} (job ${runner.job.Uuid})`)
      const result = await runner.run()
      this.logf(`task ${runner.job.Task}: ${result.state} (${result.exitState})`)
      if (result.reboot) return this.#rebootOrExit()
      if (result.poweroff) return this.#go('POWEROFF')
      if (result.stop || (result.failed && exitOnFailure)) return this.#go('EXIT')
      this.#go('WAIT_FOR_RUNNABLE')
    } catch (error) {
      await this.#initOrExit(error)
    }
  }

  /** Follows the machine's `change-stage/map` param once its stage has no tasks left. */
  async changeStage(): Promise<void> {
    const m = this.machine
    const current = m.Stage ?? 'none'
    const inInstall = (m.BootEnv ?? '').endsWith('-install')
    try {
      const map =
        (await this.#client
          .req()
          .urlFor('machines', this.#uuid, 'params', 'change-stage/map')
          .params('aggregate', 'true')
          .do<Record<string, string> | null>()
          .catch(() => null)) ?? {}
      const entry = String(map[current] ?? '')
      const colon = entry.indexOf(':')
      const target = colon < 0 ? '' : entry.slice(colon + 1)
      const next = (colon < 0 ? entry : entry.slice(0, colon)) || (inInstall ? 'local' : current)
      if (next === current) return this.#go('WAIT_FOR_CHANGE_STAGE')
      const stage: Stage = await this.#client.getModel('stages', next)
      let decided: AgentState | 'REBOOT_OR_EXIT' =
        !stage.BootEnv || stage.BootEnv === m.BootEnv ? 'WAIT_FOR_RUNNABLE' : 'REBOOT_OR_EXIT'
      if (target === 'Reboot' || stage.Reboot) decided = 'REBOOT_OR_EXIT'
      else if (target === 'Stop') decided = 'EXIT'
      else if (target === 'Shutdown') decided = 'POWEROFF'
      this.logf(`changing stage from ${current} to ${next}`)
      this.machine = await this.#client.patchModel('machines', this.#uuid, [
        { op: 'test', path: '/Stage', value: current },
        { op: 'replace', path: '/Stage', value: next },
      ])
      if (decided === 'REBOOT_OR_EXIT') {
        // rebootOrExit looks at the bootenv the machine was in before the change.
        return this.#go(inInstall ? 'EXIT' : 'REBOOT')
      }
      this.#go(decided)
    } catch (error) {
      await this.#initOrExit(error)
    }
  }

  async #initOrExit(error: unknown): Promise<void> {
    this.lastError = error
    this.logf(`error: ${error instanceof Error ? error.message : String(error)}`)
    if (this.#options.exitOnFailure || this.#stop.signal.aborted) return this.#go('EXIT')
    await this.#sleep(this.#options.retryDelay ?? 5000)
    this.#go('INIT')
  }

  #rebootOrExit(): void {
    this.#go((this.machine.BootEnv ?? '').endsWith('-install') ? 'EXIT' : 'REBOOT')
  }

  async #power(action: PowerAction): Promise<void> {
    if (!this.#options.actuallyPowerThings) {
      this.logf(`would ${action} now (actuallyPowerThings is off)`)
      return
    }
    if (!this.#options.power) throw new AgentError(`Failed to ${action}: no power function given`)
    await this.#options.power(action).catch((cause) => {
      throw new AgentError(`Failed to ${action}`, { cause })
    })
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        resolve()
      }
      const timer = setTimeout(done, ms)
      this.#stop.signal.addEventListener('abort', done, { once: true })
    })
  }
}

/** Creates the agent for a machine (an object or its UUID); nothing happens until `run()`. */
export function createAgent(
  client: ProvisionClient,
  machine: Machine | string,
  options: AgentOptions,
): MachineAgent {
  const m = typeof machine === 'string' ? { Uuid: machine } : machine
  if (!m?.Uuid) throw new AgentError('createAgent needs a machine with a Uuid')
  for (const name of ['timeout', 'retryDelay', 'maxTransitions'] as const) {
    const v = options?.[name]
    if (v !== undefined && !(typeof v === 'number' && v > 0 && Number.isFinite(v))) {
      throw new AgentError(`${name} must be a positive number, not ${v}`)
    }
  }
  return new MachineAgent(client, m, checkRunnerOptions(options))
}
