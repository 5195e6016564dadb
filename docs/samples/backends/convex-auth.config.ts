// convex/auth.config.ts in your Convex project: where the deployment finds the keys and which
// audience it accepts. The values are your provider's (see its page under docs/providers).
export default {
  providers: [
    {
      type: 'customJwt',
      issuer: 'https://auth.example.com',
      jwks: 'https://auth.example.com/.well-known/jwks.json',
      algorithm: 'RS256',
      applicationID: 'convex',
    },
  ],
}
