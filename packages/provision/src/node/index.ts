export {
  type InstallIsoOptions,
  IsoInstallError,
  installBootEnvFromFile,
  installISOForBootenv,
  installRawTemplateFromFile,
  installRawTemplateFromFileWithId,
} from './install.js'
