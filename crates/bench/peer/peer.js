// The peer of `tessera-bench oidc`: an OpenID Connect provider built on the oidc-provider
// package, configured like Tessera for the endpoints the benchmark measures (ES256 signing
// key, one confidential client with client_secret_basic and the client_credentials and
// refresh_token grants, introspection, revocation, userinfo, refresh tokens rotated on every
// use). It listens on 127.0.0.1 only.
//
//   node peer.js PORT CHAINS
//
// Once it listens it prints one line of JSON on standard output: the client's id and secret,
// CHAINS refresh tokens (each of its own grant, so that every load worker rotates its own
// chain, as each holds a family of its own at Tessera) and one access token of a person for
// userinfo and introspection. They are minted through the provider's own models, since the
// benchmark has no browser to go through the authorization endpoint with.
//
// Tokens live in memory, in a Map (below) rather than the package's development adapter,
// which keeps only the last 1000 entries and rescans a grant's every token on each save:
// storage as fast as the peer can have it, so the comparison does not favour Tessera.

import { randomBytes, generateKeyPairSync } from 'node:crypto';
import http from 'node:http';

import Provider from 'oidc-provider';

const port = Number(process.argv[2]);
const chains = Number(process.argv[3] ?? '32');
if (!Number.isInteger(port) || port <= 0 || !Number.isInteger(chains) || chains <= 0) {
  process.stderr.write('usage: node peer.js PORT CHAINS\n');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;
const now = () => Math.floor(Date.now() / 1000);

// Every record by model and id, with when it stops being found; a grant's records are
// indexed so that revoking the grant (reuse of a refresh token) takes them all.
const records = new Map();
const grantMembers = new Map();

class MapAdapter {
  constructor(model) {
    this.model = model;
  }

  key(id) {
    return `${this.model}:${id}`;
  }

  async upsert(id, payload, expiresIn) {
    const key = this.key(id);
    const expiresAt = typeof expiresIn === 'number' ? now() + expiresIn : Infinity;
    records.set(key, { payload, expiresAt });
    if (payload.grantId) {
      let members = grantMembers.get(payload.grantId);
      if (!members) {
        members = new Set();
        grantMembers.set(payload.grantId, members);
      }
      members.add(key);
    }
    if (payload.uid) {
      records.set(`uid:${payload.uid}`, { payload: id, expiresAt });
    }
    if (payload.userCode) {
      records.set(`userCode:${payload.userCode}`, { payload: id, expiresAt });
    }
  }

  async find(id) {
    const record = records.get(this.key(id));
    if (!record || record.expiresAt <= now()) {
      return undefined;
    }
    return record.payload;
  }

  async findByUid(uid) {
    const record = records.get(`uid:${uid}`);
    return record ? this.find(record.payload) : undefined;
  }

  async findByUserCode(userCode) {
    const record = records.get(`userCode:${userCode}`);
    return record ? this.find(record.payload) : undefined;
  }

  async consume(id) {
    const record = records.get(this.key(id));
    if (record) {
      record.payload.consumed = now();
    }
  }

  async destroy(id) {
    records.delete(this.key(id));
  }

  async revokeByGrantId(grantId) {
    for (const key of grantMembers.get(grantId) ?? []) {
      records.delete(key);
    }
    grantMembers.delete(grantId);
  }
}

// Expired records go, as a database's expiry would take them.
setInterval(() => {
  const at = now();
  for (const [key, record] of records) {
    if (record.expiresAt <= at) {
      records.delete(key);
    }
  }
  for (const [grantId, members] of grantMembers) {
    for (const key of members) {
      if (!records.has(key)) {
        members.delete(key);
      }
    }
    if (members.size === 0) {
      grantMembers.delete(grantId);
    }
  }
}, 5000).unref();

// The demo person Tessera's benchmark signs in as, with the same claims.
const person = {
  accountId: 'bench-person',
  async claims() {
    return {
      sub: 'bench-person',
      name: 'Erika Mustermann',
      given_name: 'Erika',
      family_name: 'Mustermann',
      email: 'erika.mustermann@bank-e.example',
      email_verified: true,
      groups: ['CASPER_WEB_DATA_SUBMITTER'],
    };
  },
};

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signingKey = { ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'ES256', kid: 'bench' };
const clientSecret = randomBytes(32).toString('base64url');

const provider = new Provider(issuer, {
  adapter: MapAdapter,
  clients: [
    {
      client_id: 'bench',
      client_secret: clientSecret,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      response_types: ['code'],
      redirect_uris: ['https://casper.example/callback'],
      id_token_signed_response_alg: 'ES256',
    },
  ],
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  claims: {
    openid: ['sub'],
    profile: ['name', 'given_name', 'family_name', 'groups'],
    email: ['email', 'email_verified'],
  },
  scopes: ['openid', 'profile', 'email'],
  async findAccount(ctx, id) {
    return id === person.accountId ? person : undefined;
  },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: {
      enabled: true,
      // A confidential client may introspect any token, as at Tessera.
      async allowedPolicy(ctx, client) {
        return client.clientAuthMethod !== 'none';
      },
    },
    revocation: {
      enabled: true,
      async allowedPolicy(ctx, client, token) {
        return token.clientId === client.clientId;
      },
    },
    userinfo: { enabled: true },
  },
  // A refresh token with every code exchange (which also turns the grant on), rotated on
  // every use: Tessera does both.
  issueRefreshToken: async () => true,
  rotateRefreshToken: true,
  // Tessera's lifetimes: access tokens five minutes, refresh tokens eight hours.
  ttl: {
    AccessToken: 300,
    ClientCredentials: 300,
    IdToken: 300,
    AuthorizationCode: 60,
    RefreshToken: 28800,
    Grant: 28800,
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
});
provider.on('server_error', (ctx, error) => {
  process.stderr.write(`peer server_error: ${error.stack}\n`);
});

const client = await provider.Client.find('bench');
const scope = 'openid profile email';

async function grant() {
  const granted = new provider.Grant({ accountId: person.accountId, clientId: client.clientId });
  granted.addOIDCScope(scope);
  return granted.save();
}

function sessionOf(grantId) {
  return {
    accountId: person.accountId,
    client,
    grantId,
    scope,
    gty: 'authorization_code',
    authTime: now(),
    acr: 'medium',
    amr: ['pwd', 'sms'],
  };
}

const refreshTokens = [];
for (let i = 0; i < chains; i += 1) {
  const token = new provider.RefreshToken(sessionOf(await grant()));
  refreshTokens.push(await token.save());
}
const accessToken = await new provider.AccessToken(sessionOf(await grant())).save();

const server = http.createServer(provider.callback());
server.keepAliveTimeout = 60000;
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({
    client_id: client.clientId,
    client_secret: clientSecret,
    refresh_tokens: refreshTokens,
    access_token: accessToken,
  })}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => process.exit(0));
}
// The benchmark holds standard input open; when it goes away (even killed), so does the peer.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
