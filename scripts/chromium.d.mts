/** The browser's path: `KEYWAY_CHROMIUM`, else `/usr/bin/chromium`. */
export declare const CHROMIUM: string
/** Headless, sandbox-free, network-quiet flags for every launch. */
export declare const CHROMIUM_ARGS: string[]
