export { LayoutError, type LayoutOptions, OciLayout, openLayout, REF_NAME } from './layout.js'
export {
  type DownloadBlobOptions,
  downloadBlob,
  type LayoutCopyOptions,
  pullToLayout,
  pushFromLayout,
} from './transfer.js'
