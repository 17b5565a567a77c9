import { AuthError } from '../errors.js'

/** A docker config file or credential helper failed (`ERR_DOCKER_CONFIG`, `ERR_CREDENTIAL_HELPER`). */
export class DockerConfigError extends AuthError {}
