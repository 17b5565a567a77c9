export {
  DOCKER_HUB_KEY,
  type DockerAuthEntry,
  type DockerConfig,
  type DockerConfigLocation,
  dockerConfigDir,
  loadDockerConfig,
  saveDockerConfig,
} from './config.js'
export { DockerConfigError } from './errors.js'
export { type HelperCredentials, type HelperOptions, runCredentialHelper } from './helper.js'
export { type AuthConfig, configKey, convertToHostname, resolveAuthConfig } from './resolve.js'
export { type DockerConfigAuthOptions, dockerConfigAuth } from './strategy.js'
