import { WharfError } from '@wharf/core-http'

/** The task runner could not do its work (job state, actions, files); task failures are not errors. */
export class TaskRunnerError extends WharfError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('ERR_RUNNER', message, options)
  }
}

/** A template action's path would land outside the job directory (or the chroot). */
export class PathEscapeError extends TaskRunnerError {
  /** The path the action asked for. */
  readonly path: string

  constructor(path: string, root: string) {
    super(`template path ${JSON.stringify(path)} escapes ${root}`)
    this.path = path
  }
}

/** The machine agent stopped because of an error (it is the `cause`). */
export class AgentError extends WharfError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('ERR_AGENT', message, options)
  }
}
