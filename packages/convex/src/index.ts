export {
  type ConvexFetchToken,
  type ConvexFetchTokenOptions,
  convexFetchToken,
} from './convex-fetch-token.js'
