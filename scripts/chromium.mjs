// Where the browser is, for every test, smoke run and benchmark that drives Chromium:
// KEYWAY_CHROMIUM, else Debian's /usr/bin/chromium. playwright-core drives it; nothing downloads
// a browser. The flags keep a headless run quiet and off the network.

export const CHROMIUM = process.env.KEYWAY_CHROMIUM || '/usr/bin/chromium'

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]
