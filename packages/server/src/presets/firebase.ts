import { fromPreset, type PresetData, type PresetOptions } from './preset.js'

/** Firebase Auth / Google Cloud Identity Platform, from the PowerSync, Neon and Jazz tables. */
export const firebasePreset: PresetData = {
  id: 'firebase',
  name: 'Firebase Auth / GCP Identity Platform',
  call: 'firebase({ projectId })',
  jwksUrl:
    'https://www.googleapis.com/service_accounts/v1/jwk/securetoken@system.gserviceaccount.com',
  issuer: 'https://securetoken.google.com/{projectId}',
  audience: '{projectId}',
  audienceRequired: true,
  audienceRule: '**required**: `{projectId}` (the Firebase project id)',
  sub: 'Firebase UID',
  algorithms: ['RS256'],
}

/**
 * Firebase Auth ID tokens. The audience (the project id) is always checked. With
 * `emulator: true` the unsigned tokens of the Firebase Auth emulator are accepted too; the
 * verifier refuses to start that way when `NODE_ENV` is `production`.
 *
 * @example
 * ```ts
 * firebase({ projectId: 'my-app' })
 * firebase({ projectId: 'demo-my-app', emulator: true }) // local development only
 * ```
 */
export function firebase(options: { projectId: string } & PresetOptions) {
  return fromPreset(firebasePreset, { projectId: options.projectId }, options)
}
