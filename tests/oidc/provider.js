// A real OpenID Connect provider on loopback for tests/test_sso.py: panva's oidc-provider (OpenID
// Certified), configured the way an intranet IdP (Keycloak and the like) is set up for the
// dashboards: one confidential client, authorization code + PKCE, the account's claims in the ID
// token, a first-party client that is not asked for consent, a plain user-name/password form.
//
//   node provider.js --port 4100 --redirect-uri http://127.0.0.1:8501/oauth2callback \
//        [--client-id jcy-dashboard] [--client-secret s3cret] [--users users.json]
//
// Each option may also come from the environment (OIDC_PORT, OIDC_REDIRECT_URI, OIDC_CLIENT_ID,
// OIDC_CLIENT_SECRET, OIDC_USERS). users.json: {"login": {"password": "...", "sub": "...",
// "claims": {...}}}; without it, USERS below. Prints "ready <issuer>" once it listens. It listens
// on 127.0.0.1 only and fetches nothing from anywhere.
import { generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string' },
    'redirect-uri': { type: 'string' },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    users: { type: 'string' },
  },
});
const env = process.env;
const PORT = Number(args.port ?? env.OIDC_PORT ?? 4100);
const REDIRECT_URI = args['redirect-uri'] ?? env.OIDC_REDIRECT_URI ?? 'http://127.0.0.1:8501/oauth2callback';
const CLIENT_ID = args['client-id'] ?? env.OIDC_CLIENT_ID ?? 'jcy-dashboard';
const CLIENT_SECRET = args['client-secret'] ?? env.OIDC_CLIENT_SECRET ?? 'test-secret-not-for-production';
const USERS_FILE = args.users ?? env.OIDC_USERS;
const ISSUER = `http://127.0.0.1:${PORT}`;

// Test identities. `sub` is the IdP's own stable id (not the login name); `preferred_username`
// names the local account the dashboard maps to; `groups` as a Keycloak group mapper sends them.
const USERS = USERS_FILE ? JSON.parse(readFileSync(USERS_FILE, 'utf8')) : {
  'pros_310112_1': {
    password: 'Idp-Passw0rd-1', sub: 'idp-0001',
    claims: { preferred_username: 'pros_310112_1', name: '闵行检察官', staff_no: 'MH0001', groups: ['jcy-prosecutors'] },
  },
  stranger: {
    password: 'Idp-Passw0rd-2', sub: 'idp-0002',
    claims: { preferred_username: 'stranger', name: '外单位人员', staff_no: 'XX9999', groups: ['other'] },
  },
};
const BY_SUB = new Map(Object.values(USERS).map((u) => [u.sub, u]));

function samePassword(given, expected) {
  const a = Buffer.from(String(given ?? ''));
  const b = Buffer.from(String(expected));
  return a.length === b.length && timingSafeEqual(a, b);
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-rs256', use: 'sig', alg: 'RS256' };

const provider = new Provider(ISSUER, {
  clients: [{
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    redirect_uris: [REDIRECT_URI],
    post_logout_redirect_uris: [REDIRECT_URI], // Streamlit returns to /oauth2callback after logout
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  // The claims each scope releases. `groups` is its own scope, as in Keycloak.
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username', 'staff_no'],
    groups: ['groups'],
  },
  scopes: ['openid', 'profile', 'groups'],
  // Streamlit reads the account from the ID token only (it never calls userinfo): put the granted
  // claims there, as Keycloak's mappers do with "Add to ID token".
  conformIdTokenClaims: false,
  features: {
    devInteractions: { enabled: false },
    // The provider's own logout pages load a web font from the internet; these fetch nothing.
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.type = 'html';
        ctx.body = page('退出登录 / Sign out', `${form}
<button type="submit" form="op.logoutForm" value="yes" name="logout">是，退出 / Yes, sign me out</button>
<button type="submit" form="op.logoutForm">否 / No</button>`);
      },
      async postLogoutSuccessSource(ctx) {
        ctx.type = 'html';
        ctx.body = page('已退出 / Signed out', '<p>已退出统一身份认证。</p>');
      },
    },
  },
  pkce: { required: () => true },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, sub) {
    const user = BY_SUB.get(sub);
    if (!user) return undefined;
    return { accountId: sub, async claims() { return { sub, ...user.claims }; } };
  },
  // A first-party client: the IdP grants the scopes asked for without a consent screen.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    if (ctx.oidc.client.clientId !== CLIENT_ID || !ctx.oidc.session.accountId) return undefined;
    const grant = new ctx.oidc.provider.Grant({ clientId: CLIENT_ID, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope([...ctx.oidc.requestParamOIDCScopes].join(' '));
    await grant.save();
    return grant;
  },
  renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('出错了', `<p class="err">${esc(out.error)}: ${esc(out.error_description ?? '')}</p>`);
  },
});

function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

function page(title, body) {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:sans-serif;max-width:360px;margin:80px auto}label{display:block;margin:12px 0 4px}
input{width:100%;padding:6px}button{margin-top:16px;padding:8px 24px}.err{color:#b00}</style></head>
<body><h1>统一身份认证平台 (test IdP)</h1><h2>${esc(title)}</h2>${body}</body></html>`;
}

function loginForm(uid, error) {
  return page('登录', `${error ? `<p class="err" role="alert">${esc(error)}</p>` : ''}
<form method="post" action="/interaction/${esc(uid)}/login">
<label for="login">用户名 / User name</label><input id="login" name="login" autocomplete="username" required autofocus>
<label for="password">密码 / Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">登录 / Sign in</button></form>`);
}

async function formBody(req) {
  let raw = '';
  for await (const chunk of req) {
    raw += chunk;
    if (raw.length > 10_000) break;
  }
  return new URLSearchParams(raw);
}

// The login interaction: GET shows the form, POST checks the password. Everything else is the
// provider's own routes (discovery, auth, token, jwks, end_session).
provider.use(async (ctx, next) => {
  if (ctx.path === '/favicon.ico') {
    ctx.status = 204;
    return undefined;
  }
  const m = ctx.path.match(/^\/interaction\/([\w-]+)(\/login)?$/);
  if (!m) return next();
  ctx.set('cache-control', 'no-store');
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (details.prompt.name !== 'login') {
    ctx.status = 400;
    ctx.type = 'html';
    ctx.body = page('出错了', `<p class="err">unexpected prompt ${esc(details.prompt.name)}</p>`);
    return undefined;
  }
  if (ctx.method === 'GET' && !m[2]) {
    ctx.type = 'html';
    ctx.body = loginForm(details.uid);
    return undefined;
  }
  if (ctx.method === 'POST' && m[2]) {
    const body = await formBody(ctx.req);
    const user = USERS[body.get('login') ?? ''];
    if (!user || !samePassword(body.get('password'), user.password)) {
      ctx.type = 'html';
      ctx.body = loginForm(details.uid, '用户名或密码错误 / Wrong user name or password');
      return undefined;
    }
    return provider.interactionFinished(ctx.req, ctx.res, { login: { accountId: user.sub } },
      { mergeWithLastSubmission: false });
  }
  return next();
});

provider.listen(PORT, '127.0.0.1', () => {
  console.log(`ready ${ISSUER}`);
});
