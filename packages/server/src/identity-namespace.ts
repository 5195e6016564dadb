import { KeywayError } from '@keyway/core'
import type { ProviderConfig } from './presets/preset.js'
import { VerificationError } from './verification-error.js'

/**
 * A `sub` that looks qualified (`github:123`) or like a guest id (`anon_…`): the bare
 * namespace never holds one, so no bare id can equal a qualified or a guest id.
 */
const RESERVED_BARE = /^(anon_|[a-z][a-z0-9-]*:)/

/**
 * The verified `userId` of a provider token. A provider with a `namespace` gives
 * `<namespace>:<sub>`; the one provider without gives `sub` as it is, unless that `sub`
 * starts with `anon_` or `<word>:` (then `reserved_sub`). Guest ids are `anon_<thumbprint>`.
 * So ids of two providers, or of a provider and a guest, can never be equal.
 *
 * @example
 * ```ts
 * userIdOf({ ...clerkConfig, namespace: 'clerk' }, 'user_2x') // 'clerk:user_2x'
 * ```
 */
export function userIdOf(provider: ProviderConfig, sub: string): string {
  if (provider.namespace) return `${provider.namespace}:${sub}`
  if (RESERVED_BARE.test(sub))
    throw new VerificationError(
      'reserved_sub',
      "The token's sub looks like a guest id or a qualified id, which the bare namespace never holds",
    )
  return sub
}

/**
 * Refuses a provider list in which two providers could give the same `userId`: at most one
 * provider without a `namespace`, namespaces unique and of the form `^[a-z][a-z0-9-]*$`.
 */
export function checkNamespaces(providers: readonly ProviderConfig[]): void {
  const fail = (message: string) => {
    throw new KeywayError('ERR_CONFIG', message, { transient: false })
  }
  const bare = providers.filter((p) => !p.namespace)
  if (bare.length > 1)
    fail(
      `Providers ${bare.map((p) => `"${p.id}"`).join(', ')} would share one user-id namespace: ` +
        'give all of them but one a `namespace` (e.g. `namespace: "clerk"`)',
    )
  const seen = new Set<string>()
  for (const { namespace } of providers) {
    if (namespace === undefined) continue
    if (!/^[a-z][a-z0-9-]*$/.test(namespace))
      fail(`Namespace "${namespace}" must match ^[a-z][a-z0-9-]*$`)
    if (seen.has(namespace)) fail(`Two providers use the namespace "${namespace}"`)
    seen.add(namespace)
  }
}
