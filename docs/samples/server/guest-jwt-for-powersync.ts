import { createVerifier } from '@keyway/server'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'

// PowerSync and the Neon Data API verify tokens against a JWKS URL, and keyway guest tokens
// carry their key inline. To let guests sync, verify the guest token here and hand back a
// short-lived JWT signed by your backend, whose JWKS URL you give the service.
const verifier = createVerifier({ providers: [], anonymous: { audience: 'my-api' } })
const { privateKey, publicKey } = await generateKeyPair('ES256')
const kid = 'backend-2026-06'

/** GET /.well-known/jwks.json — the URL to configure in PowerSync / Neon. */
export async function jwks(): Promise<Response> {
  return Response.json({ keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES256' }] })
}

/** POST /guest-token — the app's http connector calls it with the guest token as Bearer. */
export async function guestToken(request: Request): Promise<Response> {
  const guest = await verifier.verifyRequest(request).catch(() => undefined)
  if (!guest?.anonymous) return Response.json({ error: 'not_a_guest' }, { status: 401 })
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid })
    .setIssuer('https://api.example.com')
    .setAudience('https://my-instance.powersync.journeyapps.com')
    .setSubject(guest.userId)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(privateKey)
  return Response.json({ token })
}
