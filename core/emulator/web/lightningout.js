// The practice org's Lightning Out pages, speaking to the Tableau Next
// Embedding SDK 2.0.0 as Salesforce's do (salesforce-jwt-spec.md §10). The
// server decides what each page says (the data-* attributes of <body>);
// this script says it to the host page with postMessage, addressed to the
// host page's origin alone, and takes messages from that origin alone.
'use strict';

(() => {
  const query = new URLSearchParams(location.search);
  const elementId = query.get('parentElementId');
  const hostOrigin = query.get('loAppOrigin') || '';
  const data = document.body.dataset;

  /** Sends a message to the SDK in the host page. */
  function tell(message) {
    if (window.parent === window || !hostOrigin) {
      return; // opened on its own, not in the SDK's frame
    }
    window.parent.postMessage(Object.assign({ id: elementId }, message), hostOrigin);
  }

  function element(tag, className, text) {
    const el = document.createElement(tag);
    if (className) {
      el.className = className;
    }
    if (text !== undefined) {
      el.textContent = text;
    }
    return el;
  }

  // One embedded component: the SDK hands over its props, the page fetches
  // the asset from the org, draws it, and answers the SDK's requests.
  function container() {
    const component = data.component || '';
    const root = document.getElementById('component');
    let props = null;
    let asset = null;
    let loadedSent = false;

    function fail(message) {
      root.replaceChildren(element('p', 'practice-error', message));
      tell({ type: 'lo.error', error: message });
    }

    async function fetchAsset(name) {
      const url = new URL('/practice/component', location.origin);
      url.search = new URLSearchParams({ component, idOrApiName: name, loAppOrigin: hostOrigin }).toString();
      let reply;
      try {
        reply = await fetch(url, { credentials: 'same-origin', cache: 'no-store' });
      } catch {
        return { error: 'The practice org did not answer.' };
      }
      const body = await reply.json().catch(() => null);
      if (!reply.ok) {
        const first = Array.isArray(body) ? body[0] : body;
        return { error: (first && first.message) || `The practice org answered HTTP ${reply.status}.` };
      }
      return { asset: body };
    }

    function draw(a) {
      const section = element('section', 'practice-asset');
      const header = element('header');
      header.append(element('h1', '', a.label), element('p', 'practice-api', `${a.apiName} · ${a.kind}`));
      section.append(header, element('p', 'practice-note', a.note));
      if (a.pages && a.pages.length) {
        section.append(element('p', 'practice-pages', `Pages: ${a.pages.join(', ')}`));
      }
      const bars = element('div', 'practice-bars');
      const top = Math.max(...a.tiles.map((t) => t.value), 1);
      for (const t of a.tiles) {
        const row = element('div', 'practice-bar');
        const fill = element('span', 'practice-fill');
        fill.style.width = `${Math.round((t.value / top) * 100)}%`;
        row.append(element('span', 'practice-label', t.label), fill, element('span', 'practice-value', String(t.value)));
        bars.append(row);
      }
      section.append(bars);
      root.replaceChildren(section);
    }

    async function show() {
      const name = String((props && props.idOrApiName) || '');
      if (!name) {
        fail('The SDK sent no idOrApiName for this component.');
        return;
      }
      const got = await fetchAsset(name);
      if (got.error) {
        fail(got.error);
        return;
      }
      asset = got.asset;
      draw(asset);
      tell({ type: 'lo.ready' });
    }

    // ComponentLoaded goes out once the SDK listens for the component's
    // events, which it starts to do when it hears lo.ready.
    function componentLoaded() {
      if (loadedSent || !asset) {
        return;
      }
      loadedSent = true;
      tell(event('ComponentLoaded', {}, {}));
    }

    function event(eventName, payload, meta) {
      return {
        type: 'lo.dispatchEvent',
        name: 'tableau_internal',
        detail: {
          metaInfo: {
            eventName,
            eventSource: component,
            embeddingUniqueId: meta.embeddingUniqueId || (props && props.embeddingUniqueId),
            idOrApiName: meta.idOrApiName || (props && props.idOrApiName),
            eventUniqueId: meta.eventUniqueId,
          },
          payload,
        },
      };
    }

    // Every request the SDK makes gets an answer carrying its
    // eventUniqueId, or the SDK's promise would never settle.
    function answer(detail) {
      const meta = (detail && detail.metaInfo) || {};
      const pages = (asset && asset.pages) || [];
      const replies = {
        GetPages: ['ReceivedPages', pages],
        GetFilters: ['ReceivedFilters', []],
        ApplyFilters: ['UpdatedFilters', []],
        ClearFilters: ['UpdatedFilters', []],
        GetParameters: ['ReceivedParameters', []],
        GetParameterByKey: ['ReceivedParameters', []],
        ApplyParameters: ['UpdatedParameters', []],
        ClearParameters: ['UpdatedParameters', []],
        GetTimeRange: ['ReceivedTimeRange', {}],
        ApplyTimeRange: ['UpdatedTimeRange', {}],
        ClearTimeRange: ['UpdatedTimeRange', {}],
        RetrieveMetadata: ['ReceivedMetadata', asset ? { apiName: asset.apiName, label: asset.label, pages } : {}],
        RetrieveDatasources: ['ReceivedDatasources', []],
        RetrieveFields: ['ReceivedFields', []],
        RetrieveFilterFieldValues: ['ReceivedFilterFieldValues', []],
        RetrieveInteractionDetails: ['ReceivedInteractionDetails', {}],
        RetrieveLayout: ['ReceivedLayout', {}],
        RetrieveSelections: ['ReceivedSelections', []],
      };
      const [eventName, payload] = replies[meta.eventName] || ['DEFAULT', {}];
      tell(event(eventName, payload, meta));
    }

    window.addEventListener('message', (msg) => {
      if (msg.source !== window.parent || msg.origin !== hostOrigin || !msg.data || typeof msg.data !== 'object') {
        return;
      }
      const m = msg.data;
      switch (m.type) {
        case 'lo.setComponentData':
          props = (m.componentData && m.componentData.props) || {};
          show();
          break;
        case 'lo.setComponentProps':
          props = Object.assign(props || {}, m.componentProps);
          break;
        case 'lo.addEventListener':
          if (m.name === 'tableau_internal') {
            componentLoaded();
          }
          break;
        case 'lo.dispatchEvent':
          if (m.name === 'tableau_sdk_internal') {
            answer(m.detail);
          }
          break;
        default:
      }
    });
    tell({ type: 'lo.loaded', lightningDomain: data.lightningDomain });
    tell({ type: 'lo.getComponentData' });
  }

  switch (data.role) {
    case 'auth':
      if (data.outcome === 'loaded') {
        tell({ type: 'lo.loaded', lightningDomain: data.lightningDomain });
      } else if (data.outcome === 'redirect') {
        tell({ type: 'lo.redirect', redirectUrl: data.redirectUrl });
      }
      break;
    case 'logout':
      tell({ type: 'lo.logout' });
      break;
    case 'container':
      container();
      break;
    default:
  }
})();
