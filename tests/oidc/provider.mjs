// A real OpenID Connect provider for the single sign-on tests: the certified oidc-provider,
// configured from the environment by tests/oidc_provider.py.
//
//   OIDC_PORT            the local port to listen on (the issuer is http://127.0.0.1:PORT)
//   OIDC_CLIENT          JSON: {"client_id", "client_secret", "redirect_uris",
//                        "post_logout_redirect_uris"}
//   OIDC_ACCOUNTS        JSON list: {"sub", "email", "email_verified", "name", "unit"?,
//                        "id_token"?}; "id_token" is "expired" or "forged" for the accounts
//                        whose ID token the provider spoils on purpose (see below)
//   OIDC_UNIT_CLAIM      the name of the claim carrying the person's unit
//
// The login form is the provider's own (devInteractions): the "login" box takes an
// account's sub, any password passes. Consent is taken as given, as an organisation's
// provider does for its own applications.

import Provider from 'oidc-provider';
import { SignJWT, decodeJwt, exportJWK, generateKeyPair } from 'jose';

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const client = JSON.parse(process.env.OIDC_CLIENT);
const accounts = new Map(JSON.parse(process.env.OIDC_ACCOUNTS).map((a) => [a.sub, a]));
const unitClaim = process.env.OIDC_UNIT_CLAIM || 'unit';
const KID = 'provider-key';

// The provider's signing key, and a stranger's key under the same kid: a token signed with
// the latter looks like the provider's but fails the signature check against its JWKS.
async function signingKey() {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return privateKey;
}
const providerKey = await signingKey();
const strangerKey = await signingKey();
const providerJwk = { ...(await exportJWK(providerKey)), kid: KID, alg: 'RS256', use: 'sig' };

function claimsOf(account) {
  const claims = {
    sub: account.sub,
    email: account.email,
    email_verified: account.email_verified,
    name: account.name,
  };
  if (account.unit) claims[unitClaim] = account.unit;
  return claims;
}

const provider = new Provider(issuer, {
  clients: [{
    ...client,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [providerJwk] },
  cookies: { keys: ['test-provider-cookie-key'] },
  pkce: { required: () => true },
  // The claims asked for by scope travel in the ID token too: the tracker reads them there.
  conformIdTokenClaims: false,
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', unitClaim],
  },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  ttl: {
    AccessToken: 600,
    AuthorizationCode: 60,
    IdToken: 600,
    Interaction: 600,
    Session: 3600,
    Grant: 3600,
  },
  async findAccount(ctx, id) {
    const account = accounts.get(id);
    if (!account) return undefined;
    return { accountId: id, claims: async () => claimsOf(account) };
  },
  // No consent screen: the grant covers what the tracker asks for.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    grant.addOIDCClaims(['email', 'email_verified', 'name', unitClaim]);
    await grant.save();
    return grant;
  },
});

// Spoils the ID token of the accounts marked so, after the provider issued it: "expired"
// is signed by the provider's own key but ran out an hour ago; "forged" carries the right
// claims under a key the provider never published.
async function spoil(idToken, how) {
  const now = Math.floor(Date.now() / 1000);
  const claims = decodeJwt(idToken);
  const key = how === 'forged' ? strangerKey : providerKey;
  if (how === 'expired') Object.assign(claims, { iat: now - 7200, exp: now - 3600 });
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: KID }).sign(key);
}

provider.use(async (ctx, next) => {
  await next();
  const idToken = ctx.path === '/token' && ctx.status === 200 ? ctx.body?.id_token : undefined;
  if (!idToken) return;
  const how = accounts.get(decodeJwt(idToken).sub)?.id_token;
  if (how) ctx.body.id_token = await spoil(idToken, how);
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`OpenID provider listening at ${issuer}`);
});
