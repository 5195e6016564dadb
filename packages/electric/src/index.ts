export {
  type ElectricAnswer,
  type ElectricAuth,
  type ElectricAuthOptions,
  type ElectricRetry,
  electricAuth,
} from './electric-auth.js'
