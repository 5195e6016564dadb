import { KeywayError } from '@keyway/core'
import { fromPreset, type PresetData, type PresetOptions } from './preset.js'

/** Amazon Cognito user pools, from the PowerSync and Neon tables. */
export const cognitoPreset: PresetData = {
  id: 'cognito',
  name: 'Amazon Cognito',
  call: 'cognito({ userPoolId, clientId, tokenUse? })',
  jwksUrl: 'https://cognito-idp.{region}.amazonaws.com/{userPoolId}/.well-known/jwks.json',
  issuer: 'https://cognito-idp.{region}.amazonaws.com/{userPoolId}',
  audienceRequired: true,
  audienceRule:
    '**required**: `{clientId}`, your app client (`client_id` of access tokens, `aud` of ID tokens); `token_use` checked',
  sub: 'user UUID',
  algorithms: ['RS256'],
}

/**
 * Amazon Cognito user pool tokens for one app client. A pool serves many app clients and
 * signs ID and access tokens with the same keys, so both are pinned: `token_use` must be
 * `tokenUse` (default `access`), and the app client is `client_id` in access tokens, `aud`
 * in ID tokens. The region is read from the pool id (`us-east-1_XXXXXXXXX`) unless given.
 *
 * @example
 * ```ts
 * cognito({ userPoolId: 'us-east-1_XXXXXXXXX', clientId: '1example23456789' })
 * cognito({ userPoolId: 'us-east-1_XXXXXXXXX', clientId: '1example23456789', tokenUse: 'id' })
 * ```
 */
export function cognito(
  options: {
    userPoolId: string
    clientId: string
    tokenUse?: 'access' | 'id'
    region?: string
  } & PresetOptions,
) {
  const { clientId, tokenUse = 'access' } = options
  if (typeof clientId !== 'string' || clientId === '')
    throw new KeywayError('ERR_CONFIG', 'The cognito preset needs "clientId"', {
      transient: false,
    })
  const region = options.region ?? options.userPoolId?.split('_')[0]
  const pinned: PresetOptions =
    tokenUse === 'id'
      ? { audience: clientId, requiredClaims: { token_use: 'id' } }
      : { requiredClaims: { token_use: 'access', client_id: clientId } }
  return fromPreset(
    cognitoPreset,
    { region, userPoolId: options.userPoolId },
    {
      ...pinned,
      ...options,
      requiredClaims: { ...pinned.requiredClaims, ...options.requiredClaims },
    },
  )
}
