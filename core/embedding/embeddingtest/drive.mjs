// Drives Debian's headless Chromium for tnjwt's tests, with playwright-core.
// It reads a spec on standard input, opens every page of it at once (each in
// its own browser profile unless two name the same context), waits until
// the page says it has finished (document.body.dataset.state), and prints
// what a person would see, one JSON line per page.
import { chromium } from 'playwright-core';

const input = [];
for await (const chunk of process.stdin) {
  input.push(chunk);
}
const spec = JSON.parse(Buffer.concat(input).toString('utf8'));

// Without these, Chromium reaches for Google's services and, on a closed
// network, fails many connections at every start.
const args = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];
const browser = await chromium.launch({ executablePath: spec.chromium, args });
const contexts = new Map();

async function contextFor(name) {
  if (!name) {
    return browser.newContext();
  }
  if (!contexts.has(name)) {
    contexts.set(name, browser.newContext());
  }
  return contexts.get(name);
}

// A frame that never loaded has no document to read: give up on it after
// a while rather than wait for one.
async function frameText(frame) {
  const read = frame.evaluate(() => (document.body ? document.body.innerText : ''));
  const timeout = new Promise((resolve) => { setTimeout(() => resolve('(never loaded)'), 2000); });
  try {
    return await Promise.race([read, timeout]);
  } catch (err) {
    return `(unreadable: ${err.message})`;
  }
}

async function run(p) {
  const result = { name: p.name, console: [] };
  const context = await contextFor(p.context);
  const page = await context.newPage();
  page.on('console', (m) => result.console.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => result.console.push(`pageerror: ${e.message}`));
  if (p.spendCredential) {
    // As if the frontdoor URL had been used before the SDK got it.
    await page.route('**/auth-credential*', async (route) => {
      const response = await route.fetch();
      const json = await response.json();
      if (typeof json.authCredential === 'string') {
        const used = await fetch(json.authCredential, { redirect: 'manual' });
        result.spent = used.status;
      }
      await route.fulfill({ response, json });
    });
  }
  try {
    // Not until the page's load event: a frame that never loads holds it back.
    await page.goto(p.url, { waitUntil: 'commit' });
    await page.waitForFunction((states) => states.includes(document.body && document.body.dataset.state),
      p.until, { timeout: p.timeoutMs, polling: 250 });
  } catch (err) {
    result.error = err.message.split('\n')[0];
  }
  result.state = await page.evaluate(() => document.body.dataset.state || '').catch(() => '');
  result.outcome = await page.evaluate(() => document.body.dataset.outcome || '').catch(() => '');
  const text = (selector) => page.evaluate((s) => {
    const el = document.querySelector(s);
    return el instanceof HTMLElement ? el.innerText : '';
  }, selector).catch(() => '');
  result.status = await text('#status');
  result.advice = await text('#advice');
  result.origin = await text('#origin');
  result.links = await page.evaluate(() => [...document.querySelectorAll('#advice a')]
    .map((a) => ({ text: a.textContent, href: a.href }))).catch(() => []);
  result.frames = [];
  for (const frame of page.frames()) {
    if (frame !== page.mainFrame()) {
      result.frames.push({ url: frame.url(), text: await frameText(frame) });
    }
  }
  if (p.screenshot) {
    await page.screenshot({ path: p.screenshot, fullPage: true });
  }
  await page.close();
  return result;
}

await Promise.all(spec.pages.map(async (p) => {
  const result = await run(p);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}));
await browser.close();
