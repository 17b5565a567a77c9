import { packageConfig } from '@wharf/tooling/vitest'

export default packageConfig()
