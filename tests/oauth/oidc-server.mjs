// SPDX-License-Identifier: GPL-3.0-or-later
// The OAuth 2.0 / OpenID Connect server the OAuth tests run against:
// oidc-provider with its development login and consent pages, listening on
// 127.0.0.1 only. Prints "listening <port>" once it accepts connections.
//
//   node oidc-server.mjs PORT
import Provider from 'oidc-provider';

const port = Number(process.argv[2] || 0);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      // A native app: a public client (no secret) with a loopback redirect
      // whose port may vary (RFC 8252 §7.3), so PKCE is required.
      client_id: 'signalbox-test',
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      redirect_uris: ['http://127.0.0.1/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    },
  ],
  pkce: { methods: ['S256'], required: () => true },
  features: { devInteractions: { enabled: true } },
  // Refresh tokens for every code grant, each used once (rotation).
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
  rotateRefreshToken: true,
  ttl: { AccessToken: 3600, AuthorizationCode: 60, RefreshToken: 86400, Interaction: 600, Session: 3600, Grant: 3600 },
  cookies: { keys: ['signalbox-test-cookie-key'] },
  findAccount: async (ctx, id) => ({
    accountId: id,
    claims: async () => ({ sub: id, name: `Test user ${id}` }),
  }),
});
provider.proxy = false;

const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
