export { type NeonAuthOptions, neonAuth } from './neon-auth.js'
