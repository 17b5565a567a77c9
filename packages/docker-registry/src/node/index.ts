export {
  type DockerConfig,
  DockerConfigError,
  dockerConfigAuth,
  loadDockerConfig as loadConfig,
  resolveAuthConfig,
  saveDockerConfig as saveConfig,
} from '@wharf/auth/docker-config'
export {
  type ConfigOptions,
  loadAuthConfig,
  removeLogin,
  type SavedLogin,
  saveLogin,
} from './config.js'
