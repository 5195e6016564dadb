// A Node preload that makes real async work slow on purpose, to find tests that race it.
// A test on the fake clock (@keyway/core/testing) waits one real turn, then for the work
// passed to `t.track`; real work it does not track (WebCrypto signing, a loopback request)
// usually ends within that turn on an idle machine and sometimes not on a loaded one. With
// the delay every time, such a test fails every time. See docs/testing.md, "Finding races".
//
//   NODE_OPTIONS="--import=$PWD/scripts/flake-probe.mjs" pnpm vitest run --project core
//
// KEYWAY_FLAKE_PROBE: what to slow down, comma-separated (default `subtle,fetch`):
//   subtle  every crypto.subtle call settles this much later;
//   fetch   every fetch starts this much later;
//   url     only responses whose URL matches KEYWAY_FLAKE_PROBE_URL (a regular expression)
//           arrive this much later.
// KEYWAY_FLAKE_PROBE_MS: the delay, default 30 ms. Tests that do thousands of signatures or
// requests run out of time under it: a timeout there is the probe's cost, not a race.

const delayMs = Number(process.env.KEYWAY_FLAKE_PROBE_MS ?? 30)
const kinds = new Set((process.env.KEYWAY_FLAKE_PROBE ?? 'subtle,fetch').split(','))
// Captured now, so a test that fakes timers cannot stall the delay.
const realSetTimeout = globalThis.setTimeout
const pause = () => new Promise((resolve) => realSetTimeout(resolve, delayMs))

if (kinds.has('subtle')) {
  const proto = Object.getPrototypeOf(globalThis.crypto.subtle)
  for (const name of Object.getOwnPropertyNames(proto)) {
    const original = proto[name]
    if (name === 'constructor' || typeof original !== 'function') continue
    proto[name] = async function (...args) {
      const result = await original.apply(this, args)
      await pause()
      return result
    }
  }
}

if (kinds.has('fetch')) {
  const original = globalThis.fetch
  globalThis.fetch = async function (...args) {
    await pause()
    return original.apply(this, args)
  }
}

if (kinds.has('url')) {
  const original = globalThis.fetch
  const matches = new RegExp(process.env.KEYWAY_FLAKE_PROBE_URL ?? '(?!)')
  globalThis.fetch = async function (input, init) {
    const response = await original.call(this, input, init)
    if (matches.test(String(input?.url ?? input))) await pause()
    return response
  }
}
