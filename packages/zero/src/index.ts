export { type ZeroLike, zeroAuth } from './zero-auth.js'
