export {
  type AgentOptions,
  type AgentState,
  createAgent,
  MachineAgent,
  type PowerAction,
} from './agent.js'
export { AgentError, PathEscapeError, TaskRunnerError } from './errors.js'
export { type ExitFlags, interpretExit } from './exit-codes.js'
export { type ExpandRoots, expandAction } from './expand.js'
export { type AgentLogger, JobLogForwarder, type JobLogOptions } from './job-log.js'
export { type PerformOptions, type PerformResult, performAction, SCRIPT_PATH } from './perform.js'
export {
  checkRunnerOptions,
  createTaskRunner,
  goOS,
  type TaskResult,
  TaskRunner,
  type TaskRunnerOptions,
} from './runner.js'
