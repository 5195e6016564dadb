import { fromPreset, type PresetData, type PresetOptions } from './preset.js'

/** Amazon Cognito user pools, from the PowerSync and Neon tables. */
export const cognitoPreset: PresetData = {
  id: 'cognito',
  name: 'Amazon Cognito',
  call: 'cognito({ userPoolId })',
  jwksUrl: 'https://cognito-idp.{region}.amazonaws.com/{userPoolId}/.well-known/jwks.json',
  issuer: 'https://cognito-idp.{region}.amazonaws.com/{userPoolId}',
  audienceRequired: false,
  audienceRule: 'ID tokens: the app client id; access tokens have none (`client_id` claim)',
  sub: 'user UUID',
  algorithms: ['RS256'],
}

/**
 * Amazon Cognito user pool tokens. The region is read from the pool id
 * (`us-east-1_XXXXXXXXX`) unless given.
 *
 * @example
 * ```ts
 * cognito({ userPoolId: 'us-east-1_XXXXXXXXX' })
 * ```
 */
export function cognito(options: { userPoolId: string; region?: string } & PresetOptions) {
  const region = options.region ?? options.userPoolId?.split('_')[0]
  return fromPreset(cognitoPreset, { region, userPoolId: options.userPoolId }, options)
}
