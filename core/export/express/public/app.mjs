// Asks this app's server for a frontdoor URL, starts the Tableau Next
// Embedding SDK with it, and embeds the dashboard named in ?dashboard=.
import { initializeAnalyticsSdk, AnalyticsDashboard } from '@salesforce/analytics-embedding-sdk';

const status = /** @type {HTMLElement} */ (document.getElementById('status'));

/** @param {string} text @param {boolean} [failed] */
function say(text, failed = false) {
  status.textContent = text;
  status.classList.toggle('failed', failed);
}

async function start() {
  const reply = await fetch('/auth-credential', { cache: 'no-store' });
  const body = await reply.json();
  if (!reply.ok) {
    say(`Salesforce refused the sign-in: ${body.error} ${body.error_description || ''}`, true);
    return;
  }
  /** @type {{ authCredential: string, orgUrl: string }} */
  const { authCredential, orgUrl } = body;
  await initializeAnalyticsSdk({ authCredential, orgUrl });
  const dashboard = new URLSearchParams(location.search).get('dashboard');
  if (!dashboard) {
    say('Signed in. Add ?dashboard=API_NAME to the address to embed a dashboard.');
    return;
  }
  say('');
  await new AnalyticsDashboard({ parentIdOrElement: 'embed-here', idOrApiName: dashboard }).render();
}

start().catch((err) => say(`Embedding failed: ${err instanceof Error ? err.message : String(err)}`, true));
