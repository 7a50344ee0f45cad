// Serves the Tableau Next Embedding SDK's auth credential: a single-use
// frontdoor URL obtained server to server with the OAuth 2.0 JWT bearer flow.
//
//   npm install && npm start        (reads ./.env when present)
//
// GET /auth-credential  ->  { "authCredential": "<frontdoor URL>", "orgUrl": "<Lightning URL>" }
//
// Settings come from the environment: SF_LOGIN_URL, SF_AUDIENCE, SF_CLIENT_ID,
// SF_USERNAME, SF_PRIVATE_KEY (PEM; "\n" escapes are accepted), SF_ORG_URL
// (the Lightning URL; worked out from instance_url when empty) and PORT.
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const express = require('express');

const envFile = path.join(__dirname, '.env');
if (fs.existsSync(envFile)) {
  process.loadEnvFile(envFile); // Node's own parser; variables already set win
}

const TIMEOUT_MS = 15000; // per Salesforce request
const MAX_REPLY_BYTES = 1 << 20; // Salesforce's replies are a few hundred bytes
const TOKEN_REUSE_MS = 10 * 60 * 1000; // an access token is reused this long at most

function required(name) {
  const value = (process.env[name] || '').trim();
  if (!value) {
    console.error(`Missing setting ${name}: set it in the environment or in .env beside server.js.`);
    process.exit(1);
  }
  return value;
}

const config = {
  loginUrl: required('SF_LOGIN_URL').replace(/\/+$/, ''),
  clientId: required('SF_CLIENT_ID'),
  username: required('SF_USERNAME'),
  privateKey: crypto.createPrivateKey(required('SF_PRIVATE_KEY').replace(/\\n/g, '\n')),
  orgUrl: (process.env.SF_ORG_URL || '').trim(),
  port: Number(process.env.PORT || 3000),
};
config.audience = (process.env.SF_AUDIENCE || '').trim() || config.loginUrl;

// A refusal or failure of one Salesforce call, safe to show: Salesforce's
// own error words, never the key, the assertion or a token.
class SalesforceError extends Error {
  constructor(phase, status, error, description) {
    super(`${phase} failed: ${error}${description ? ` (${description})` : ''}`);
    this.phase = phase;
    this.status = status;
    this.error = error;
    this.description = description;
  }
}

function base64url(data) {
  return Buffer.from(data).toString('base64url');
}

// The JWT: iss = consumer key, sub = username, aud = login host, exp within 3 minutes.
function assertion() {
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const claims = base64url(JSON.stringify({
    iss: config.clientId,
    sub: config.username,
    aud: config.audience,
    exp: Math.floor(Date.now() / 1000) + 180,
  }));
  const signature = crypto.sign('RSA-SHA256', Buffer.from(`${header}.${claims}`), config.privateKey);
  return `${header}.${claims}.${signature.toString('base64url')}`;
}

// Text from Salesforce is untrusted: no control characters, bounded length.
function clean(text) {
  return String(text ?? '').replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, ' ').slice(0, 500);
}

async function post(phase, url, body, headers = {}) {
  let res;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json', ...headers },
      body: new URLSearchParams(body),
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    const why = err.name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS / 1000} s` : 'could not reach Salesforce';
    throw new SalesforceError(phase, 0, 'unreachable', why);
  }
  const text = await readLimited(phase, res);
  let data = null;
  try {
    data = JSON.parse(text);
  } catch {
    // handled below: Salesforce answers JSON
  }
  if (!res.ok) {
    const first = Array.isArray(data) ? data[0] : data;
    const error = clean(first?.error || first?.errorCode || `HTTP ${res.status}`);
    const description = clean(first?.error_description || first?.message || '');
    throw new SalesforceError(phase, res.status, error, description);
  }
  if (!data || typeof data !== 'object') {
    throw new SalesforceError(phase, res.status, 'bad_reply', 'the answer is not JSON');
  }
  return data;
}

async function readLimited(phase, res) {
  const chunks = [];
  let size = 0;
  for await (const chunk of res.body ?? []) {
    size += chunk.length;
    if (size > MAX_REPLY_BYTES) {
      throw new SalesforceError(phase, res.status, 'bad_reply', 'the answer is larger than 1 MiB');
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

// The access token goes only to the org the login host named: https, or
// plain http on this machine when the login URL is itself local.
function checkInstance(instanceUrl) {
  let u;
  try {
    u = new URL(instanceUrl);
  } catch {
    throw new SalesforceError('token', 200, 'bad_reply', 'instance_url is not a web address');
  }
  const local = ['localhost', '127.0.0.1', '[::1]'];
  const loginIsLocal = local.includes(new URL(config.loginUrl).hostname);
  if (u.protocol !== 'https:' && !(loginIsLocal && u.protocol === 'http:' && local.includes(u.hostname))) {
    throw new SalesforceError('token', 200, 'bad_reply', 'instance_url is not an https address');
  }
  return u.origin;
}

let cached = null; // { accessToken, instanceUrl, at }

async function accessToken() {
  if (cached && Date.now() - cached.at < TOKEN_REUSE_MS) {
    return cached;
  }
  const data = await post('token', `${config.loginUrl}/services/oauth2/token`, {
    grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
    assertion: assertion(),
  });
  if (typeof data.access_token !== 'string' || typeof data.instance_url !== 'string') {
    throw new SalesforceError('token', 200, 'bad_reply', 'the token answer has no access_token or instance_url');
  }
  cached = { accessToken: data.access_token, instanceUrl: checkInstance(data.instance_url), at: Date.now() };
  return cached;
}

async function frontdoor() {
  for (let attempt = 1; ; attempt++) {
    const token = await accessToken();
    try {
      const data = await post('singleaccess', `${token.instanceUrl}/services/oauth2/singleaccess`, {}, {
        Authorization: `Bearer ${token.accessToken}`,
      });
      if (typeof data.frontdoor_uri !== 'string' || new URL(data.frontdoor_uri).origin !== token.instanceUrl) {
        throw new SalesforceError('singleaccess', 200, 'bad_reply', 'frontdoor_uri is missing or on another host');
      }
      return { authCredential: data.frontdoor_uri, orgUrl: config.orgUrl || lightningUrl(token.instanceUrl) };
    } catch (err) {
      cached = null; // a revoked or expired token: the next try signs a new JWT
      if (attempt > 1 || !(err instanceof SalesforceError) || err.status !== 401) {
        throw err;
      }
    }
  }
}

// https://acme.my.salesforce.com -> https://acme.lightning.force.com
function lightningUrl(instanceUrl) {
  const u = new URL(instanceUrl);
  const m = u.hostname.match(/^(.+?)(\.sandbox)?\.my\.salesforce\.com$/);
  if (!m) {
    return u.origin;
  }
  return `https://${m[1]}${m[2] ? '.sandbox' : ''}.lightning.force.com`;
}

const app = express();
app.disable('x-powered-by');
app.use('/sdk', express.static(path.join(__dirname, 'node_modules', '@salesforce', 'analytics-embedding-sdk', 'dist')));
app.use(express.static(path.join(__dirname, 'public')));

// Protect this route as you protect the rest of your app (your own login,
// for example): whoever can call it is signed in to Salesforce as SF_USERNAME.
app.get('/auth-credential', async (req, res) => {
  res.set('Cache-Control', 'no-store');
  try {
    res.json(await frontdoor());
  } catch (err) {
    if (err instanceof SalesforceError) {
      console.error(`Salesforce ${err.phase} request: ${err.error} ${err.description}`);
      res.status(502).json({ error: err.error, error_description: err.description, phase: err.phase });
      return;
    }
    console.error(`auth-credential failed: ${err && err.name}`);
    res.status(500).json({ error: 'internal_error', error_description: 'the server could not sign the request' });
  }
});

const server = app.listen(config.port, () => {
  console.log(`listening on http://localhost:${server.address().port}`);
});
