// Embeds a Tableau Next dashboard: asks this app's server for a frontdoor
// URL, starts the Tableau Next Embedding SDK with it, and embeds the
// dashboard named in ?dashboard=. However it ends, the page says so in
// words (words.mjs) and never waits without saying what it waits for: the
// SDK resolves a failed start instead of rejecting it, and a dashboard
// rendered after a failed start never settles.
import { words, limits } from './words.mjs';

const TIMED_OUT = Symbol('timed out');

const page = document.body;
const statusLine = /** @type {HTMLElement} */ (document.getElementById('status'));
const adviceBox = /** @type {HTMLElement} */ (document.getElementById('advice'));
const originLine = /** @type {HTMLElement} */ (document.getElementById('origin'));
const credentialUrl = page.dataset.credentialUrl || '/auth-credential';
const reportUrl = page.dataset.reportUrl || '';
const dashboard = new URLSearchParams(location.search).get('dashboard') || page.dataset.dashboard || '';

/** What the placeholders in words.mjs stand for. @type {Record<string, string>} */
const values = {
  origin: location.origin, dashboard, orgUrl: '', redirect: '', seconds: '', words: '', sdk: page.dataset.sdkUrl || '',
};

/** @param {string} template */
function fill(template) {
  return template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? values[key] : whole));
}

/** @param {string} text */
function say(text) {
  statusLine.textContent = text;
}

/**
 * @param {string} tag
 * @param {string} text
 * @param {string} [className]
 */
function element(tag, text, className) {
  const el = document.createElement(tag);
  el.textContent = text;
  if (className) {
    el.className = className;
  }
  return el;
}

/**
 * Shows how the attempt ended, with what to change in Setup.
 * @param {keyof typeof words.outcomes} outcome
 * @param {string} [salesforceWords] what Salesforce or the SDK said
 */
function finish(outcome, salesforceWords = '') {
  const advice = words.outcomes[outcome];
  values.words = salesforceWords;
  page.dataset.outcome = outcome;
  page.dataset.state = advice.failed ? 'failed' : outcome;
  say(fill(advice.title));
  const parts = [];
  if (salesforceWords && advice.said) {
    parts.push(element('p', fill(advice.said), 'salesforce'));
  }
  parts.push(element('p', fill(advice.explain)));
  if (advice.checks.length > 0) {
    parts.push(element('h2', words.checkHeading));
    const list = document.createElement('dl');
    for (const check of advice.checks) {
      list.append(element('dt', check.name), element('dd', check.where, 'where'), element('dd', fill(check.fix)));
      const link = setupLink(check.setupPath);
      if (link) {
        const dd = document.createElement('dd');
        dd.append(link);
        list.append(dd);
      }
    }
    parts.push(list);
  }
  if (advice.tip) {
    parts.push(element('p', fill(advice.tip)));
  }
  adviceBox.replaceChildren(...parts);
  adviceBox.hidden = !advice.failed;
  report(outcome, salesforceWords);
}

/**
 * A link to a Setup page on the org's Lightning host, which serves Setup too.
 * @param {string | undefined} path
 * @returns {HTMLAnchorElement | null}
 */
function setupLink(path) {
  let url;
  try {
    url = new URL(path || '', values.orgUrl);
  } catch {
    return null;
  }
  if (!path || !/^https?:$/.test(url.protocol)) {
    return null;
  }
  const a = /** @type {HTMLAnchorElement} */ (element('a', words.openInSetup));
  a.href = url.href;
  a.target = '_blank';
  a.rel = 'noopener noreferrer';
  return a;
}

/**
 * Tells tnjwt's preview how it ended (only the preview sets data-report-url).
 * @param {string} outcome
 * @param {string} salesforceWords
 */
function report(outcome, salesforceWords) {
  if (!reportUrl) {
    return;
  }
  fetch(reportUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ outcome, dashboard, words: salesforceWords }),
  }).catch(() => {});
}

/**
 * The words in an SDK error event's detail, or in a thrown error.
 * @param {unknown} detail
 * @returns {string}
 */
function describe(detail) {
  if (typeof detail === 'string') {
    return detail;
  }
  if (detail instanceof Error) {
    return detail.message;
  }
  if (detail && typeof detail === 'object') {
    const d = /** @type {{ message?: unknown, originalError?: unknown, errorCode?: unknown }} */ (detail);
    if (typeof d.originalError === 'string') {
      return d.originalError;
    }
    // Lightning Out puts its class name, minified to a few letters, before
    // its messages: "fi: Error: Unknown error, …".
    const message = typeof d.message === 'string' ? d.message.replace(/^[\w$]+: (?=Error: )/, '').replace(/^Error: /, '') : '';
    return typeof d.errorCode === 'string' ? `${message} (${d.errorCode})`.trim() : message;
  }
  return '';
}

/**
 * Waits for work, saying each second how long it has waited, and gives up
 * after limitSeconds.
 * @template T
 * @param {Promise<T>} work
 * @param {string} template
 * @param {number} limitSeconds
 * @returns {Promise<T | typeof TIMED_OUT>}
 */
function waitShowing(work, template, limitSeconds) {
  const started = performance.now();
  const show = () => {
    values.seconds = String(Math.floor((performance.now() - started) / 1000));
    say(fill(template));
  };
  show();
  const tick = setInterval(show, 1000);
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  /** @type {Promise<typeof TIMED_OUT>} */
  const limit = new Promise((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), limitSeconds * 1000);
  });
  return Promise.race([work, limit]).finally(() => {
    clearInterval(tick);
    clearTimeout(timer);
  });
}

/** @returns {Promise<{ authCredential: string, orgUrl: string } | string>} the credential, or what went wrong */
async function fetchCredential() {
  say(words.fetching);
  let reply;
  try {
    reply = await fetch(credentialUrl, { cache: 'no-store', signal: AbortSignal.timeout(30000) });
  } catch (err) {
    return `${credentialUrl}: ${describe(err)}`;
  }
  /** @type {{ authCredential?: unknown, orgUrl?: unknown, error?: unknown, error_description?: unknown } | null} */
  const body = await reply.json().catch(() => null);
  if (reply.ok && body && typeof body.authCredential === 'string' && typeof body.orgUrl === 'string') {
    return { authCredential: body.authCredential, orgUrl: body.orgUrl };
  }
  if (body && typeof body.error === 'string') {
    return `${body.error} ${typeof body.error_description === 'string' ? body.error_description : ''}`.trim();
  }
  return `${credentialUrl} answered HTTP ${reply.status}`;
}

async function start() {
  originLine.textContent = fill(words.origin);
  page.dataset.state = 'signing-in';
  /** @type {typeof import('@salesforce/analytics-embedding-sdk')} */
  let sdk;
  try {
    sdk = await import('@salesforce/analytics-embedding-sdk');
  } catch (err) {
    finish('sdk-not-loaded', describe(err));
    return;
  }
  let sdkError = '';
  sdk.analyticsEventTarget.addEventListener(sdk.EventName.ERROR, (event) => {
    sdkError = describe(/** @type {CustomEvent} */ (event).detail);
  });

  const credential = await fetchCredential();
  if (typeof credential === 'string') {
    finish('credential-refused', credential);
    return;
  }
  values.orgUrl = credential.orgUrl;
  page.dataset.state = 'opening';
  const waitLimit = limits.sdkSeconds + limits.graceSeconds;
  const init = await waitShowing(sdk.initializeAnalyticsSdk(credential), words.opening, waitLimit);
  if (init === TIMED_OUT) {
    values.seconds = String(waitLimit);
    finish('no-answer', sdkError);
    return;
  }
  const states = init.orgStates ?? new Map();
  const org = states.get(credential.orgUrl) ?? [...states.values()][0];
  if (init.status !== sdk.Status.SUCCESS) {
    if (org?.state === sdk.OrgStates.AUTH_REDIRECT) {
      values.redirect = `${org.redirectOrigin ?? ''}${org.redirectUrl ?? ''}` || 'an identity verification page';
      finish('auth-redirect', values.redirect);
      return;
    }
    // Rendering now would never settle: the SDK waits for a session that will not come.
    finish('init-error', sdkError || org?.reason || init.message);
    return;
  }
  if (!dashboard) {
    finish('signed-in');
    return;
  }
  await embed(sdk, waitLimit);
}

/**
 * @param {typeof import('@salesforce/analytics-embedding-sdk')} sdk
 * @param {number} waitLimit
 */
async function embed(sdk, waitLimit) {
  page.dataset.state = 'rendering';
  const component = new sdk.AnalyticsDashboard({ parentIdOrElement: 'embed-here', idOrApiName: dashboard });
  let componentError = '';
  component.addEventListener(sdk.EventName.ERROR, (event) => {
    componentError = describe(/** @type {CustomEvent} */ (event).detail);
  });
  const rendered = await waitShowing(
    component.render().then(() => true, () => false),
    words.rendering,
    waitLimit,
  );
  if (rendered === true) {
    finish('embedded');
    return;
  }
  if (rendered === TIMED_OUT && !componentError) {
    values.seconds = String(waitLimit);
    componentError = fill(words.outcomes['no-answer'].title);
  }
  finish('asset-failed', componentError);
}

start().catch((err) => finish('init-error', describe(err)));
