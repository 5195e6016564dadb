import { KeywayError } from '@keyway/core'
import type { ProviderConfig } from './presets/preset.js'

/** The issuer prefix of Firebase Auth tokens, the only ones an emulator may stand in for. */
const FIREBASE_ISSUER = 'https://securetoken.google.com/'

function env(name: string): string | undefined {
  // Read without Node types: src runs in browsers and workers too.
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[
    name
  ]
}

/**
 * Unsigned (`alg: none`) tokens are accepted only from the Firebase Auth emulator, so
 * `emulator: true` is refused (`ERR_CONFIG`) on any provider but the firebase preset, and
 * outside development: it starts only when `NODE_ENV` is `development` or `test`, or when
 * `FIREBASE_AUTH_EMULATOR_HOST` is set (the variable the Firebase Admin SDK itself requires
 * before it trusts emulator tokens, and which `firebase emulators:exec` sets). An unset
 * `NODE_ENV` is not development.
 *
 * @example
 * ```ts
 * // FIREBASE_AUTH_EMULATOR_HOST=127.0.0.1:9099 node server.js
 * createVerifier({ providers: [firebase({ projectId: 'demo-app', emulator: true })] })
 * ```
 */
export function checkEmulatorMode(provider: ProviderConfig): void {
  if (!provider.emulator) return
  const fail = (message: string) => {
    throw new KeywayError('ERR_CONFIG', message, { transient: false })
  }
  const issuers = ([] as string[]).concat(provider.issuer)
  if (provider.id !== 'firebase' || !issuers.every((i) => i.startsWith(FIREBASE_ISSUER)))
    fail(`emulator: true is for the firebase preset only, not "${provider.id}"`)
  const mode = env('NODE_ENV')
  if (mode !== 'development' && mode !== 'test' && !env('FIREBASE_AUTH_EMULATOR_HOST'))
    fail(
      'Emulator tokens are unsigned: emulator: true starts only with NODE_ENV=development or test, ' +
        'or with FIREBASE_AUTH_EMULATOR_HOST set',
    )
}
