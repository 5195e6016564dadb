export { type HocuspocusAuthOptions, hocuspocusAuth } from './hocuspocus-auth.js'
