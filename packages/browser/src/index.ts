export { type BrowserPlatformOptions, browserPlatform } from './browser-platform.js'
export { indexedDbStorage, memoryStorage } from './indexeddb-storage.js'
export {
  startWakeDetector,
  type WakeDetectorClock,
  type WakeDetectorOptions,
} from './wake-detector.js'
export {
  type ChannelConstructor,
  type LockManagerLike,
  type WebCrossTabOptions,
  webCrossTab,
} from './web-cross-tab.js'
