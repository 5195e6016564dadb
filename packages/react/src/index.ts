export { KeywayProvider, type KeywayProviderProps, useSession } from './provider.js'
export { useAuthState } from './use-auth-state.js'
export { useToken } from './use-token.js'
