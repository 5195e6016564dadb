export { supabaseAccessToken } from './access-token.js'
export { type SupabaseAuthLike, supabaseConnector } from './supabase-connector.js'
export { toKeywayError as toKeywaySupabaseError } from './supabase-errors.js'
export { type SupabaseAnonymousUpgrade, upgradeAnonymousUser } from './upgrade-anonymous.js'
