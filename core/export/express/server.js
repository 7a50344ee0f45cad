// Serves the Tableau Next Embedding SDK's auth credential: a single-use
// frontdoor URL obtained server to server with the Salesforce OAuth 2.0 JWT
// bearer flow, and the page that embeds a dashboard with it.
//
//   npm ci && npm start        (reads ./.env when present)
//
// GET /auth-credential  ->  { "authCredential": "<frontdoor URL>", "orgUrl": "<Lightning URL>" }
//
// Settings come from the environment, or from .env beside this file
// (variables already set win): SF_LOGIN_URL, SF_AUDIENCE (empty: found as
// tnjwt finds it), SF_CLIENT_ID, SF_USERNAME, SF_PRIVATE_KEY (PEM; "\n"
// escapes are accepted), SF_ORG_URL (empty: worked out from instance_url),
// PORT (3000), HOST (127.0.0.1) and ALLOWED_HOSTS.
//
// Written by tnjwt; the same contract as its Flask, Go, Java and Sinatra
// servers (see README.md).
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const net = require('node:net');
const path = require('node:path');
const express = require('express');

const TIMEOUT_MS = 10000; // each Salesforce request, reply included
const MAX_REPLY_BYTES = 1 << 20; // Salesforce's replies are a few hundred bytes
// The token reply does not say how long the session lasts: it is the org's
// (or the app's) session timeout, which an admin can set as low as 15
// minutes. A token is reused for 14 minutes at most; a token refused
// sooner (revoked, or a shorter timeout) is re-signed once at once.
const TOKEN_REUSE_MS = 14 * 60 * 1000;
const BACKOFF_MS = 5000; // no new login this long after a failed one
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

function fail(message) {
  console.error(message);
  process.exit(1);
}

const envFile = path.join(__dirname, '.env');
if (fs.existsSync(envFile)) {
  try {
    process.loadEnvFile(envFile); // Node's own parser; variables already set win
  } catch {
    fail('.env: cannot be read as KEY=value lines');
  }
}

// ---- Salesforce's login hosts, checked as tnjwt checks them ----

// Salesforce's registrable domains: the only hosts the access token goes to.
const SALESFORCE_DOMAINS = ['salesforce.com', 'force.com', 'site.com', 'my-salesforce.com', 'my-lightning.com',
  'salesforce-sites.com', 'cloudforce.com', 'visualforce.com', 'salesforce-setup.com',
  'salesforce.mil', 'crmforce.mil', 'sfcrmproducts.cn', 'sfcrmapps.cn'];
// My Domain suffixes and their Lightning ones.
const MY_DOMAIN_SUFFIXES = [['.my.salesforce.com', '.lightning.force.com'], ['.my-salesforce.com', '.my-lightning.com'],
  ['.my.salesforce.mil', '.lightning.crmforce.mil'], ['.my.sfcrmproducts.cn', '.lightning.sfcrmapps.cn']];
const NOT_LOGIN_HOSTS = ['.my.salesforce-setup.com', '.vf.force.com', '.file.force.com', '.visual.force.com',
  '.visualforce.com', '.salesforce-experience.com', '.content.force.com', '.container.force.com'];

function isSalesforceHost(host) {
  const h = host.toLowerCase().replace(/\.$/, '');
  return SALESFORCE_DOMAINS.some((d) => h.endsWith(`.${d}`));
}

// The name localhost, 127.0.0.0/8 or ::1 (not names under .localhost, nor ::ffff:127.0.0.1).
function isLoopback(host) {
  const h = host.replace(/^\[|\]$/g, '');
  if (h.toLowerCase() === 'localhost') {
    return true;
  }
  if (net.isIPv4(h)) {
    return h.startsWith('127.');
  }
  if (!net.isIPv6(h)) {
    return false;
  }
  try {
    return new URL(`http://[${h}]/`).hostname === '[::1]';
  } catch {
    return false;
  }
}

function validName(name) {
  return name !== '' && name.split('.').every((l) => l.length > 0 && l.length <= 63 && /^[a-z0-9-]+$/.test(l) &&
    !l.startsWith('-') && !l.endsWith('-'));
}

function parseLoginUrl(raw) {
  let s = raw.trim();
  if (/\s/.test(s)) {
    throw new Error('the login URL contains spaces');
  }
  if (!s.includes('://')) {
    s = `https://${s}`;
  }
  const m = s.match(/^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/);
  if (!m) {
    throw new Error('not a web address');
  }
  const scheme = m[1].toLowerCase();
  const authority = m[2];
  const pathPart = m[3];
  if (scheme !== 'https' && scheme !== 'http') {
    throw new Error('must start with https://');
  }
  if (authority.includes('@')) {
    throw new Error('the login URL contains a user name or password');
  }
  const hp = authority.match(/^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/);
  if (!hp || hp[1] === '') {
    throw new Error('not a web address');
  }
  const host = hp[1].toLowerCase().replace(/\.$/, '');
  const port = hp[2] || '';
  for (const ch of host) {
    const c = ch.codePointAt(0);
    if (c < 0x21 || c > 0x7e) {
      throw new Error('the host has a character that is not plain ASCII: it may be a look-alike of a Salesforce host');
    }
  }
  if (host.split('.').some((l) => l.startsWith('xn--'))) {
    throw new Error('the host has an internationalised (xn--) name: it may be a look-alike of a Salesforce host');
  }
  const bare = host.replace(/^\[|\]$/g, '');
  if (host.endsWith('.localhost') || (bare.includes(':') && !isLoopback(bare))) {
    throw new Error('not a Salesforce login host (this machine is only localhost, 127.0.0.1 or [::1])');
  }
  const loop = isLoopback(bare);
  if (!loop && (!validName(host) || !host.includes('.'))) {
    throw new Error('not a web address');
  }
  const hostPort = port ? `${host}:${port}` : host;
  let result;
  let onPage = false;
  if (loop) {
    let p = pathPart;
    const i = p.toLowerCase().indexOf('/services/oauth2');
    if (i >= 0) {
      p = p.slice(0, i);
    }
    result = { url: `${scheme}://${hostPort}${p.replace(/\/+$/, '')}`, kind: 'loopback' };
  } else {
    [result, onPage] = classify(host, pathPart);
    if (port !== '' && port !== '443') {
      throw new Error('Salesforce login URLs have no port number');
    }
  }
  if (!onPage && (m[4] !== undefined || m[5] !== undefined)) {
    throw new Error('the login URL has a query (?…) or fragment (#…) part');
  }
  if (scheme === 'http' && !loop) {
    throw new Error('plain http://: Salesforce only answers over https://');
  }
  return result;
}

function classify(host, pathPart) {
  const origin = `https://${host}`;
  if (host === 'login.salesforce.com') {
    return [{ url: origin, kind: 'production' }, false];
  }
  if (host === 'test.salesforce.com') {
    return [{ url: origin, kind: 'sandbox' }, false];
  }
  for (const [my, lightning] of MY_DOMAIN_SUFFIXES) {
    if (host.endsWith(lightning) && validName(host.slice(0, -lightning.length))) {
      throw new Error(`${host} is a Lightning Experience address, not a login host: use https://${host.slice(0, -lightning.length)}${my}`);
    }
  }
  if (NOT_LOGIN_HOSTS.some((s) => host.endsWith(s))) {
    throw new Error(`${host} is not a login host: use the org's My Domain login URL`);
  }
  for (const [my] of MY_DOMAIN_SUFFIXES) {
    const name = host.slice(0, -my.length);
    if (host.endsWith(my) && validName(name)) {
      const sandbox = name.endsWith('.sandbox') || name.endsWith('.scratch');
      return [{ url: origin, kind: sandbox ? 'mydomain-sandbox' : 'mydomain' }, false];
    }
  }
  for (const suffix of ['.my.site.com', '.force.com']) {
    if (host.endsWith(suffix) && validName(host.slice(0, -suffix.length))) {
      const [site, onPage] = sitePath(pathPart);
      return [{ url: origin + site, kind: 'site' }, onPage];
    }
  }
  throw new Error(`${host} is not a Salesforce login host: use https://login.salesforce.com, https://test.salesforce.com or the org's My Domain URL`);
}

// An Experience Cloud site's own path, from an address copied while on one of its pages or endpoints.
function sitePath(p) {
  const segs = p.replace(/^\/+|\/+$/g, '').split('/');
  const join = (s) => {
    const j = s.join('/').replace(/^\/+|\/+$/g, '');
    return j ? `/${j}` : '';
  };
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i].toLowerCase();
    if (seg === 's' || seg === 'secur') {
      return [join(segs.slice(0, i)), true];
    }
    if (seg === 'services') {
      return [join(segs.slice(0, i)), false];
    }
  }
  if (segs[segs.length - 1].toLowerCase() === 'login') {
    return [join(segs.slice(0, -1)), true];
  }
  return [join(segs), false];
}

// The order in which the JWT's aud is tried.
function audiences(login) {
  const legacy = login.kind === 'sandbox' || login.kind === 'mydomain-sandbox'
    ? 'https://test.salesforce.com' : 'https://login.salesforce.com';
  if (login.kind === 'site') {
    return [login.url];
  }
  if (login.kind === 'mydomain' || login.kind === 'mydomain-sandbox' || login.kind === 'loopback') {
    return [login.url, legacy];
  }
  return [legacy];
}

// An https URL (or http on this machine), without a trailing slash.
function checkWebAddress(raw) {
  const s = raw.replace(/\/+$/, '');
  let u;
  try {
    u = new URL(s);
  } catch {
    throw new Error('not a plain https:// address');
  }
  if (!u.host || u.username || u.password || u.search || u.hash) {
    throw new Error('not a plain https:// address');
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && isLoopback(u.hostname))) {
    throw new Error('not an https:// address');
  }
  return s;
}

// ---- Settings ----

function readSettings() {
  const env = (name) => (process.env[name] || '').trim();
  const need = (name) => {
    const v = env(name);
    if (!v) {
      fail(`${name} is missing: set it in the environment or in .env`);
    }
    return v;
  };
  const check = (name, fn) => {
    try {
      return fn();
    } catch (err) {
      return fail(`${name}: ${err.message}`);
    }
  };
  const cfg = {};
  const loginRaw = need('SF_LOGIN_URL');
  cfg.login = check('SF_LOGIN_URL', () => parseLoginUrl(loginRaw));
  cfg.clientId = need('SF_CLIENT_ID');
  if (/\s/.test(cfg.clientId)) {
    fail('SF_CLIENT_ID: the consumer key has a space or line break inside it');
  }
  cfg.username = need('SF_USERNAME');
  if (/\s/.test(cfg.username) || !cfg.username.includes('@')) {
    fail('SF_USERNAME: a Salesforce username looks like an email address (embed@acme.com)');
  }
  const pem = need('SF_PRIVATE_KEY').replace(/\\n/g, '\n');
  cfg.privateKey = check('SF_PRIVATE_KEY', () => {
    let key;
    try {
      key = crypto.createPrivateKey(pem);
    } catch {
      throw new Error('not a PEM private key (-----BEGIN PRIVATE KEY-----; an encrypted key is not supported)');
    }
    if (key.asymmetricKeyType !== 'rsa') {
      throw new Error('not an RSA key: Salesforce signs with RS256 only');
    }
    if (key.asymmetricKeyDetails.modulusLength < 2048) {
      throw new Error(`an RSA key of ${key.asymmetricKeyDetails.modulusLength} bits; Salesforce needs at least 2048`);
    }
    return key;
  });
  const aud = env('SF_AUDIENCE');
  cfg.audience = aud ? check('SF_AUDIENCE', () => checkWebAddress(aud)) : '';
  const org = env('SF_ORG_URL');
  cfg.orgUrl = org ? check('SF_ORG_URL', () => checkWebAddress(org)) : '';
  cfg.host = (env('HOST') || '127.0.0.1').replace(/^\[|\]$/g, '');
  const port = env('PORT') || '3000';
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) {
    fail('PORT: not a port number (0 to 65535)');
  }
  cfg.port = Number(port);
  cfg.allowedHosts = [];
  for (const h of env('ALLOWED_HOSTS').split(',')) {
    const name = h.trim().toLowerCase();
    if (!name) {
      continue;
    }
    if (/[/@\s?#*]/.test(name) || name.startsWith(':')) {
      fail('ALLOWED_HOSTS: give host names as in the Host header (app.acme.com), comma-separated, without https:// or a path');
    }
    cfg.allowedHosts.push(name);
  }
  return cfg;
}

const config = readSettings();

// ---- The credential ----

// A refusal or failure of one Salesforce call, safe to show: Salesforce's
// own words (redacted), never the key, the assertion or a token.
class SalesforceError extends Error {
  constructor(phase, code, description, status = 0, tokenRefused = false) {
    super(`${phase} ${code}: ${description}`);
    this.phase = phase;
    this.code = code;
    this.description = description;
    this.status = status;
    this.tokenRefused = tokenRefused;
  }
}

// Text from a server, safe for a reply or a log line: no control or
// bidirectional characters, one line, at most 500 characters.
function clean(text) {
  const s = String(text ?? '').replace(/[\u0000-\u0020\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\ufffd]+/g, ' ').trim();
  const chars = [...s];
  return chars.length > 500 ? `${chars.slice(0, 500).join('').trimEnd()}…` : s;
}

// clean, and each secret removed: whole, URL-encoded, or any 12 or more
// characters of it, in case a server echoes what it got.
function scrub(text, ...secrets) {
  const REDACTED = '[redacted]';
  let s = clean(text);
  for (const secret of secrets) {
    if (!secret) {
      continue;
    }
    const forms = [secret, encodeURIComponent(secret), new URLSearchParams({ x: secret }).toString().slice(2)];
    for (const form of forms) {
      s = s.split(form).join(REDACTED);
    }
    for (let i = 0; i + 12 <= secret.length; i++) {
      s = s.split(secret.slice(i, i + 12)).join(REDACTED);
    }
  }
  while (s.includes(REDACTED + REDACTED)) {
    s = s.split(REDACTED + REDACTED).join(REDACTED);
  }
  return s;
}

// The JWT: iss = consumer key, sub = username, aud, exp within 3 minutes.
function assertion(aud) {
  const b64 = (data) => Buffer.from(data).toString('base64url');
  const header = b64(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const claims = b64(JSON.stringify({
    iss: config.clientId, sub: config.username, aud, exp: Math.floor(Date.now() / 1000) + 180,
  }));
  const signature = crypto.sign('RSA-SHA256', Buffer.from(`${header}.${claims}`), config.privateKey);
  return `${header}.${claims}.${signature.toString('base64url')}`;
}

// post sends a form and reads the reply, within TIMEOUT_MS and MAX_REPLY_BYTES.
// Kept-alive connections to Salesforce, shared by every request.
const agents = {
  'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }),
  'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }),
};

// post sends a form and reads the reply, within TIMEOUT_MS and MAX_REPLY_BYTES.
// node:http rather than fetch: it costs a fraction of the CPU per call.
function post(phase, url, body, bearer) {
  const u = new URL(url);
  const host = clean(u.host);
  const payload = new URLSearchParams(body).toString();
  const headers = {
    'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json', 'Content-Length': Buffer.byteLength(payload),
  };
  if (bearer) {
    headers.Authorization = `Bearer ${bearer}`;
  }
  const transport = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (fn, value) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        fn(value);
      }
    };
    // The whole exchange, reply included, within the limit: a server that drips is cut off.
    const timer = setTimeout(() => {
      settle(reject, new SalesforceError(phase, 'timeout', `no answer from ${host} within ${TIMEOUT_MS / 1000} s`));
      req.destroy();
    }, TIMEOUT_MS);
    const req = transport.request(u, { method: 'POST', headers, agent: agents[u.protocol] }, (res) => {
      const chunks = [];
      let size = 0;
      res.on('data', (chunk) => {
        size += chunk.length;
        if (size > MAX_REPLY_BYTES) {
          settle(reject, new SalesforceError(phase, 'too_large', `${host} sent more than 1 MiB, which is not a Salesforce answer`, res.statusCode));
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let data;
        try {
          data = JSON.parse(text);
        } catch {
          data = undefined;
        }
        settle(resolve, { status: res.statusCode, text, data });
      });
      res.on('error', () => settle(reject, new SalesforceError(phase, 'connection', `cannot reach ${host}`)));
    });
    req.on('error', () => settle(reject, new SalesforceError(phase, 'connection', `cannot reach ${host}`)));
    req.end(payload);
  });
}

function serverError(phase, status, data, ...secrets) {
  const words = data && typeof data.error === 'string' && data.error
    ? `: ${scrub(`${data.error} ${typeof data.error_description === 'string' ? data.error_description : ''}`, ...secrets)}` : '';
  return new SalesforceError(phase, 'server', `Salesforce answered HTTP ${status}${words}; try again in a few minutes`, status);
}

// The token goes only to https on a Salesforce host, or to this machine
// when the login URL is this machine too.
function checkInstance(raw) {
  let u;
  try {
    u = new URL(String(raw).trim());
  } catch {
    u = null;
  }
  if (!raw || !u || !u.host || !/^https?:$/.test(u.protocol)) {
    if (u && u.host) {
      throw new SalesforceError('token', 'unsafe_host', `the token reply's instance_url ${clean(`${u.protocol}//${u.host}`)} is not https, so the access token will not be sent there`, 200);
    }
    throw new SalesforceError('token', 'bad_reply', 'the token reply has no usable instance_url', 200);
  }
  const unsafe = (why) => new SalesforceError('token', 'unsafe_host',
    `the token reply's instance_url ${clean(`${u.protocol}//${u.host}`)} ${why}, so the access token will not be sent there`, 200);
  if (u.username || u.password) {
    throw unsafe('carries a user name');
  }
  if (!(config.login.kind === 'loopback' && isLoopback(u.hostname))) {
    if (u.protocol !== 'https:') {
      throw unsafe('is not https');
    }
    if (!isSalesforceHost(u.hostname)) {
      throw unsafe('is not a Salesforce host');
    }
  }
  return { origin: u.origin, base: u.origin + u.pathname.replace(/\/+$/, ''), protocol: u.protocol, host: u.host };
}

async function requestToken(aud) {
  const jwt = assertion(aud);
  const secrets = [jwt, config.clientId];
  const { status, data } = await post('token', `${config.login.url}/services/oauth2/token`, {
    grant_type: JWT_BEARER, assertion: jwt,
  });
  if (status >= 300 && status < 400) {
    throw new SalesforceError('token', 'redirect', `the token request was redirected (HTTP ${status}); check SF_LOGIN_URL`, status);
  }
  if (status >= 400 && status < 500) {
    if (!data || typeof data.error !== 'string' || !data.error) {
      throw new SalesforceError('token', 'bad_reply', `HTTP ${status}, not a Salesforce OAuth answer: check SF_LOGIN_URL`, status);
    }
    const desc = typeof data.error_description === 'string' ? data.error_description : '';
    throw new SalesforceError('token', scrub(data.error, ...secrets), scrub(desc, ...secrets), status);
  }
  if (status < 200 || status >= 300) {
    throw serverError('token', status, data, ...secrets);
  }
  if (!data || typeof data !== 'object') {
    throw new SalesforceError('token', 'bad_reply', 'the token reply is not JSON', status);
  }
  if (typeof data.access_token !== 'string' || !data.access_token) {
    throw new SalesforceError('token', 'bad_reply', 'the token reply has no access_token', status);
  }
  const instance = checkInstance(typeof data.instance_url === 'string' ? data.instance_url : '');
  return { access: data.access_token, instance, at: Date.now() };
}

function wrongAudience(err) {
  if (!(err instanceof SalesforceError) || err.phase !== 'token' || err.status < 400 || err.status >= 500) {
    return false;
  }
  return err.code.toLowerCase() === 'app_not_found' ||
    (err.code.toLowerCase() === 'invalid_grant' && err.description.toLowerCase().includes('audience is invalid'));
}

// signIn runs the token request, finding the audience when SF_AUDIENCE is
// empty. Logins never overlap (one flight at a time).
async function signIn() {
  const auds = config.audience ? [config.audience] : audiences(config.login);
  for (let i = 0; i < auds.length; i++) {
    try {
      const tok = await requestToken(auds[i]);
      if (!config.audience && auds.length > 1) {
        console.error(`SF_AUDIENCE: ${auds[i]} works for this org (set it in .env to skip finding it)`);
      }
      config.audience = auds[i];
      return tok;
    } catch (err) {
      if (i + 1 < auds.length && wrongAudience(err)) {
        console.error(`SF_AUDIENCE: ${auds[i]} was refused (${err.message}); trying ${auds[i + 1]}`);
        continue;
      }
      console.error(`auth-credential: ${err instanceof SalesforceError ? err.message : `internal error (${err?.name})`}`);
      throw err;
    }
  }
  throw new Error('no audience to try');
}

const cache = { token: null, inflight: null, failed: null, retryAt: 0 };

// The cached token, or one login shared by every caller that asks while it
// runs. fresh says the token comes from that login.
async function accessToken() {
  if (cache.token && Date.now() - cache.token.at < TOKEN_REUSE_MS) {
    return { tok: cache.token, fresh: false };
  }
  if (!cache.inflight) {
    if (cache.failed && Date.now() < cache.retryAt) {
      throw cache.failed;
    }
    cache.inflight = signIn().then((tok) => {
      cache.token = tok;
      cache.failed = null;
      return tok;
    }, (err) => {
      cache.token = null;
      cache.failed = err;
      cache.retryAt = Date.now() + BACKOFF_MS;
      throw err;
    }).finally(() => {
      cache.inflight = null;
    });
  }
  return { tok: await cache.inflight, fresh: true };
}

// forget drops tok when it is still the cached one; a token just issued and
// refused at once counts as a failed login (back off).
function forget(tok, err, fresh) {
  if (cache.token === tok) {
    cache.token = null;
  }
  if (fresh) {
    cache.failed = err;
    cache.retryAt = Date.now() + BACKOFF_MS;
  }
}

// A 4xx from singleaccess: Salesforce answers bare text (Bad_OAuth_Token),
// the REST shape or the OAuth shape.
function singleAccessRefusal(status, text, data, ...secrets) {
  let code = '';
  let desc = '';
  if (Array.isArray(data) && data[0] && typeof data[0] === 'object') {
    code = scrub(typeof data[0].errorCode === 'string' ? data[0].errorCode : '', ...secrets);
    desc = scrub(typeof data[0].message === 'string' ? data[0].message : '', ...secrets);
  } else if (data && typeof data === 'object' && !Array.isArray(data)) {
    code = scrub(typeof data.error === 'string' ? data.error : '', ...secrets);
    desc = scrub(typeof data.error_description === 'string' ? data.error_description : '', ...secrets);
  } else if (!text.trim().startsWith('<')) {
    desc = scrub(text, ...secrets);
  }
  for (const word of ['Bad_OAuth_Token', 'Invalid_Scope']) {
    if (text.includes(word)) {
      if (desc === word || desc === code) {
        desc = '';
      }
      code = word;
    }
  }
  const refused = status === 401 || code === 'Bad_OAuth_Token';
  if (!code) {
    if (!desc) {
      return new SalesforceError('singleaccess', 'bad_reply', `HTTP ${status}, not a Salesforce answer`, status);
    }
    code = `HTTP_${status}`;
  }
  return new SalesforceError('singleaccess', code, desc, status, refused);
}

async function singleAccess(tok) {
  const secrets = [tok.access, config.clientId];
  const { status, text, data } = await post('singleaccess', `${tok.instance.base}/services/oauth2/singleaccess`, {}, tok.access);
  if (status >= 300 && status < 400) {
    throw new SalesforceError('singleaccess', 'redirect',
      `the singleaccess request was redirected (HTTP ${status}); it carries the access token, so it is not followed`, status);
  }
  if (status >= 400 && status < 500) {
    throw singleAccessRefusal(status, text, data, ...secrets);
  }
  if (status < 200 || status >= 300) {
    throw serverError('singleaccess', status, data, ...secrets);
  }
  const fd = data && typeof data.frontdoor_uri === 'string' ? data.frontdoor_uri : '';
  if (!fd) {
    throw new SalesforceError('singleaccess', 'bad_reply', 'the singleaccess reply has no frontdoor_uri', status);
  }
  let u;
  try {
    u = new URL(fd);
  } catch {
    throw new SalesforceError('singleaccess', 'bad_reply', 'the frontdoor_uri is not a web address', status);
  }
  if (!u.host || u.host.toLowerCase() !== tok.instance.host.toLowerCase() || u.protocol !== tok.instance.protocol ||
    u.username || u.password) {
    throw new SalesforceError('singleaccess', 'unsafe_host', `the frontdoor_uri points at ${clean(`${u.protocol}//${u.host}`)}, ` +
      `not the org's ${clean(tok.instance.origin)}: refusing to use it`, status);
  }
  return { authCredential: fd, orgUrl: config.orgUrl || lightningUrl(tok.instance) };
}

// singleAccess, its failures logged (the URL never is).
async function frontdoor(tok) {
  try {
    return await singleAccess(tok);
  } catch (err) {
    console.error(`auth-credential: ${err instanceof SalesforceError ? err.message : `internal error (${err?.name})`}`);
    throw err;
  }
}

async function credential() {
  let { tok, fresh } = await accessToken();
  try {
    return await frontdoor(tok);
  } catch (err) {
    if (!(err instanceof SalesforceError) || !err.tokenRefused) {
      throw err;
    }
    forget(tok, err, fresh);
    if (fresh) {
      throw err;
    }
  }
  // Expired or revoked: sign in again, once.
  ({ tok } = await accessToken());
  try {
    return await frontdoor(tok);
  } catch (err) {
    if (err instanceof SalesforceError && err.tokenRefused) {
      forget(tok, err, true);
    }
    throw err;
  }
}

// https://acme.my.salesforce.com -> https://acme.lightning.force.com; this machine stays itself.
function lightningUrl(instance) {
  const host = new URL(instance.origin).hostname.toLowerCase();
  if (!isLoopback(host)) {
    for (const [my, lightning] of MY_DOMAIN_SUFFIXES) {
      if (host.endsWith(my)) {
        return `https://${host.slice(0, -my.length)}${lightning}`;
      }
    }
  }
  return instance.origin.toLowerCase();
}

// ---- HTTP ----

const app = express();
app.disable('x-powered-by');
app.set('etag', false);
let boundPort = String(config.port);

// Only requests addressed to a host this server serves: localhost,
// 127.0.0.1 or [::1] on its port, or ALLOWED_HOSTS (a name alone: any
// port). A web page whose name is made to point here (DNS rebinding) gets
// nothing.
function hostAllowed(hostHeader) {
  const host = String(hostHeader || '').toLowerCase();
  if (['localhost', '127.0.0.1', '[::1]'].some((h) => host === `${h}:${boundPort}`)) {
    return true;
  }
  const name = host.replace(/:\d+$/, '');
  return config.allowedHosts.some((a) => a === host || a === name);
}

app.use((req, res, next) => {
  res.set({ 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' });
  if (!hostAllowed(req.headers.host)) {
    res.status(421).type('text/plain').send('Misdirected Request: this server does not answer for that host name (see ALLOWED_HOSTS)\n');
    return;
  }
  next();
});

// This app's own page (Sec-Fetch-Site: same-origin, or an Origin naming
// this host); a request with neither, such as curl, only from this machine.
function sameOrigin(req) {
  const site = req.headers['sec-fetch-site'];
  const origin = req.headers.origin;
  const host = String(req.headers.host || '').toLowerCase();
  const own = typeof origin === 'string' && [`http://${host}`, `https://${host}`].includes(origin.toLowerCase());
  if (site) {
    return site === 'same-origin' && (!origin || own);
  }
  if (origin) {
    return own;
  }
  return isLoopback(String(req.socket.remoteAddress || '').replace(/^::ffff:(?=127\.)/, ''));
}

// Protect this route as you protect the rest of your app (your own login
// goes here): whoever can call it is signed in to Salesforce as SF_USERNAME.
app.all('/auth-credential', async (req, res) => {
  res.set('Cache-Control', 'no-store');
  if (req.method !== 'GET') {
    res.set('Allow', 'GET').status(405).json({ error: 'method_not_allowed', error_description: 'use GET' });
    return;
  }
  if (!sameOrigin(req)) {
    res.status(403).json({ error: 'forbidden', error_description: "only this app's own page may ask for a credential" });
    return;
  }
  try {
    res.json(await credential());
  } catch (err) {
    if (err instanceof SalesforceError) {
      res.status(502).json({ error: err.code, error_description: err.description, phase: err.phase });
      return;
    }
    console.error(`auth-credential: internal error (${err?.name})`);
    res.status(500).json({ error: 'internal_error', error_description: 'the server could not get a credential; see its log' });
  }
});

const pageTypes = { '.html': 'text/html; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };
const page = {};
for (const name of ['index.html', 'app.mjs', 'words.mjs', 'embed.css']) {
  try {
    page[name === 'index.html' ? '/' : `/${name}`] = {
      type: pageTypes[path.extname(name)], data: fs.readFileSync(path.join(__dirname, 'public', name)),
    };
  } catch {
    fail(`the page: cannot read public/${name}`);
  }
}
const sdkFile = path.join(__dirname, 'node_modules', '@salesforce', 'analytics-embedding-sdk', 'dist', 'sdk-bundle.module.js');
app.get('/sdk/sdk-bundle.module.js', (req, res) => {
  res.type('text/javascript; charset=utf-8').sendFile(sdkFile, (err) => {
    if (err && !res.headersSent) {
      res.status(404).end();
    }
  });
});
app.get(['/', '/app.mjs', '/words.mjs', '/embed.css'], (req, res) => {
  const f = page[req.path];
  res.type(f.type).send(f.data);
});
app.use((req, res) => {
  res.status(404).type('text/plain').send('Not Found\n');
});

const server = app.listen(config.port, config.host, () => {
  const { address, port } = server.address();
  boundPort = String(port);
  console.log(`listening on http://${address.includes(':') ? `[${address}]` : address}:${port}`);
});
server.on('error', (err) => fail(`HOST/PORT: cannot listen on ${config.host}:${config.port}: ${err.code || err.message}`));
