export { type SupabaseAccessTokenOptions, supabaseAccessToken } from './access-token.js'
export { type RealtimeStatus, subscribeRealtime } from './realtime-channel.js'
export {
  type SupabaseAuthLike,
  type SupabaseConnectorOptions,
  supabaseConnector,
} from './supabase-connector.js'
export { toKeywaySupabaseError } from './supabase-errors.js'
export { type SupabaseAnonymousUpgrade, upgradeAnonymousUser } from './upgrade-anonymous.js'
