export { BundleError, type BundleOptions, bundleContent, unbundleContent } from './bundle.js'
export {
  type InstallIsoOptions,
  IsoInstallError,
  installBootEnvFromFile,
  installISOForBootenv,
  installRawTemplateFromFile,
  installRawTemplateFromFileWithId,
} from './install.js'
