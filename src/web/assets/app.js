'use strict';
// regpoll's page: live values from /api/v1/events (server-sent events), charts from
// /api/v1/history. It only reads. Every text from a device goes in as textContent.

const live = { site: null, plan: null, devices: new Map(), events: 0, totals: [] };
const ranges = {
  hour: { label: '1 hour', query: 'since=1h', span: 3600e3 },
  day: { label: '1 day', query: 'since=24h&step=1m', span: 86400e3 },
  week: { label: '1 week', query: 'since=7d&step=10m', span: 7 * 86400e3 },
  month: { label: '1 month', query: 'since=30d&step=1h', span: 30 * 86400e3 },
};
let view = { name: '', cards: new Map(), charts: [], range: 'hour' };

function el(tag, props, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('data-')) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

function valueText(p) {
  if (p.quality === 'unread') return '–';
  if (p.value === null) return 'n/a';
  if (typeof p.value === 'number' && Number.isInteger(p.precision)) return p.value.toFixed(p.precision);
  return String(p.value);
}

function timeText(ms) {
  if (!ms) return 'never';
  const s = Math.round((Date.now() - ms) / 1000);
  return s < 60 ? s + ' s ago' : new Date(ms).toLocaleString();
}

function badge(d) {
  const [cls, text] = d.online ? ['online', 'online'] : d.last_answer_ms ? ['offline', 'offline'] : ['', 'waiting'];
  return el('span', { class: 'badge ' + cls }, text);
}

function pointRows(d) {
  return el('table', {}, ...d.points.map((p) => el('tr', { class: p.quality === 'good' ? '' : 'stale' },
    el('td', {}, p.name),
    el('td', { class: 'value', 'data-point': d.name + '/' + p.name }, valueText(p)),
    el('td', { class: 'unit' }, p.unit || ''))));
}

function deviceCard(d) {
  return el('section', { class: 'card', 'data-device': d.name },
    el('h2', {}, el('a', { href: '#/device/' + encodeURIComponent(d.name) }, d.name), badge(d)),
    el('div', { class: 'meta' }, [d.manufacturer, d.model].filter(Boolean).join(' ') + (d.manufacturer || d.model ? ' · ' : '') +
      'bus ' + d.bus + ' · unit ' + d.unit + ' · last answer ' + timeText(d.last_answer_ms) +
      ' · errors in the last hour: ' + d.errors_1h),
    pointRows(d));
}

// --- overview ---
function showOverview(main) {
  const grid = el('div', { class: 'grid' });
  for (const d of live.devices.values()) {
    const card = deviceCard(d);
    view.cards.set(d.name, card);
    grid.append(card);
  }
  main.append(grid);
  view.update = (changed) => {
    for (const d of changed) {
      const old = view.cards.get(d.name);
      const card = deviceCard(d);
      view.cards.set(d.name, card);
      if (old) old.replaceWith(card); else grid.append(card);
    }
  };
}

// --- one device: its points live, a chart of each numeric point from the history ---
function showDevice(main, name) {
  const d = live.devices.get(name);
  if (!d) { main.append(el('p', {}, 'No device "' + name + '".')); return; }
  let card = deviceCard(d);
  const buttons = Object.entries(ranges).map(([key, r]) =>
    el('button', { class: key === view.range ? 'on' : '', onclick: () => { view.range = key; route(); } }, r.label));
  const charts = el('div', { class: 'grid' });
  main.append(card, el('h3', {}, 'History'), el('div', { class: 'ranges' }, ...buttons), charts);
  const watcher = new IntersectionObserver((entries) => {
    for (const e of entries) {
      if (!e.isIntersecting) continue;
      watcher.unobserve(e.target);
      loadChart(e.target, name, e.target.dataset.point);
    }
  });
  for (const p of d.points.filter((p) => typeof p.value === 'number')) {
    const box = el('div', { class: 'chart' }, el('canvas'));
    box.dataset.point = p.name;
    charts.append(el('section', { class: 'card' }, el('h2', {}, p.name + (p.unit ? ' (' + p.unit + ')' : '')), box));
    watcher.observe(box);
  }
  view.update = (changed) => {
    for (const c of changed) {
      if (c.name !== name) continue;
      const fresh = deviceCard(c);
      card.replaceWith(fresh);
      card = fresh;
      if (view.range === 'hour') appendLive(c);
    }
  };
}

function timeTick(span) {
  return (ms) => {
    const t = new Date(ms);
    return span <= 86400e3 ? t.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
      : t.toLocaleDateString([], { month: 'short', day: 'numeric' }) + (span <= 7 * 86400e3 ? ' ' + t.getHours() + 'h' : '');
  };
}

async function loadChart(box, device, point) {
  const range = ranges[view.range];
  const answer = await fetch('/api/v1/history?device=' + encodeURIComponent(device) + '&point=' +
    encodeURIComponent(point) + '&' + range.query);
  if (!answer.ok) { box.replaceChildren(el('p', {}, 'history: ' + (await answer.json()).error)); return; }
  const h = await answer.json();
  const rows = h.points.filter((p) => typeof p.value === 'number');
  const datasets = [{ label: point, data: rows.map((p) => ({ x: p.ts, y: p.value })), borderColor: '#1565c0',
    borderWidth: 1.5, pointRadius: 0 }];
  if (h.step) {  // buckets: a band from each bucket's min to its max
    const band = { borderWidth: 0, pointRadius: 0, backgroundColor: 'rgba(21,101,192,.18)' };
    datasets.push({ ...band, label: 'max', data: rows.map((p) => ({ x: p.ts, y: p.max })), fill: '+1' });
    datasets.push({ ...band, label: 'min', data: rows.map((p) => ({ x: p.ts, y: p.min })), fill: false });
  }
  const chart = new Chart(box.querySelector('canvas'), {
    type: 'line',
    data: { datasets },
    options: {
      animation: false, maintainAspectRatio: false, parsing: false, normalized: true,
      plugins: { legend: { display: false } },
      scales: { x: { type: 'linear', min: h.since, max: h.until, ticks: { callback: timeTick(range.span), maxTicksLimit: 6 } } },
    },
  });
  chart.regpoll = { point, since: h.since };
  view.charts.push(chart);
}

// On the hour range, new values are added to the charts as they come.
function appendLive(d) {
  for (const chart of view.charts) {
    const p = d.points.find((q) => q.name === chart.regpoll.point);
    const line = chart.data.datasets[0].data;
    if (!p || typeof p.value !== 'number' || (line.length && line[line.length - 1].x >= p.ts)) continue;
    line.push({ x: p.ts, y: p.value });
    chart.options.scales.x.max = p.ts;
    chart.options.scales.x.min = p.ts - ranges.hour.span;
    chart.update('none');
  }
}

// --- buses: rates over the last 10 s from the devices' counters ---
function busTotals() {
  const buses = new Map();
  for (const d of live.devices.values()) {
    const b = buses.get(d.bus) || { devices: 0, online: 0, requests: 0, errors: 0, timeouts: 0, latency: 0,
      missed: 0, errors_1h: 0, interval: Infinity };
    b.devices++; b.online += d.online ? 1 : 0; b.requests += d.requests; b.errors += d.errors;
    b.timeouts += d.timeouts; b.latency += d.latency_seconds_sum; b.missed += d.missed_deadlines;
    b.errors_1h += d.errors_1h; b.interval = Math.min(b.interval, d.interval_ms);
    buses.set(d.bus, b);
  }
  return buses;
}

function showBuses(main) {
  const body = el('tbody');
  const head = ['bus', 'devices', 'online', 'requests/s', 'errors/s', 'timeouts/s', 'mean latency', 'busy',
    'planned line time', 'missed cycles', 'errors (1 h)', 'shortest interval'];
  const plans = el('div', {});
  let shown = null;  // the plan the section shows
  const showPlan = () => {
    if (!live.plan || live.plan === shown) return;
    shown = live.plan;
    plans.replaceChildren();
    for (const bus of shown.buses) {
      const rows = [];
      for (const d of bus.devices) {
        for (const r of d.requests || []) {
          rows.push(el('tr', {}, ...[d.name, d.unit, 'every ' + r.every_ms + ' ms', r.kind, r.address, r.count,
            r.points.join(' ')].map((x) => el('td', {}, String(x)))));
        }
      }
      plans.append(el('details', { class: 'card scroll' },
        el('summary', {}, 'Request plan of ' + bus.name + ': ' + bus.requests_per_cycle + ' requests per cycle'),
        el('table', {}, el('thead', {}, el('tr', {}, ...['device', 'unit', 'interval', 'kind', 'address', 'count', 'points']
          .map((h) => el('th', {}, h)))), el('tbody', {}, ...rows))));
    }
  };
  main.append(el('section', { class: 'card scroll' }, el('table', {}, el('thead', {}, el('tr', {}, ...head.map((h) => el('th', {}, h)))), body)),
    el('p', { class: 'meta' }, 'Rates over the last 10 s. Busy: the time requests were in flight per second; ' +
      'planned line time: on a serial line, the share of the line the plan needs at its intervals (over 100 %: it cannot keep up); ' +
      'missed cycles: polls skipped because the last was still running.'),
    plans);
  const share = (name) => {
    const bus = live.plan && live.plan.buses.find((b) => b.name === name);
    return bus && bus.line_share != null ? (bus.line_share * 100).toFixed(0) + ' %' : '–';
  };
  const fill = () => {
    const now = live.totals[live.totals.length - 1];
    const then = live.totals[0];
    const dt = now && then && now.ts > then.ts ? (now.ts - then.ts) / 1000 : 0;
    body.replaceChildren();
    for (const [name, b] of now ? now.buses : []) {
      const a = then.buses.get(name);
      const rate = (k) => (dt && a ? ((b[k] - a[k]) / dt).toFixed(1) : '–');
      const dreq = a ? b.requests - a.requests : 0;
      const latency = dreq > 0 ? ((b.latency - a.latency) / dreq * 1000).toFixed(1) + ' ms' : '–';
      const busy = dt && a ? ((b.latency - a.latency) / dt * 100).toFixed(0) + ' %' : '–';
      body.append(el('tr', {}, ...[name, b.devices, b.online, rate('requests'), rate('errors'), rate('timeouts'),
        latency, busy, share(name), b.missed, b.errors_1h, b.interval + ' ms'].map((x) => el('td', {}, String(x)))));
    }
  };
  const update = () => { showPlan(); fill(); };
  update();
  view.update = update;
}

// --- routing and the event stream ---
function route() {
  for (const c of view.charts) c.destroy();
  view = { name: location.hash, cards: new Map(), charts: [], range: view.range, update: () => {} };
  const main = document.getElementById('main');
  main.replaceChildren();
  if (!live.site) { main.append(el('p', {}, 'Waiting for the first values…')); return; }
  const hash = location.hash.replace(/^#/, '');
  if (hash.startsWith('/device/')) showDevice(main, decodeURIComponent(hash.slice(8)));
  else if (hash === '/bus') showBuses(main);
  else showOverview(main);
}

function onEvent(message) {
  const e = JSON.parse(message.data);
  live.site = e.site;
  if (e.plan) live.plan = e.plan;
  live.events++;
  document.body.dataset.events = live.events;
  if (e.full) live.devices = new Map();
  for (const d of e.devices) {
    if (d.values) {  // values only: the points' names, units and precision are those known
      const known = live.devices.get(d.name);
      d.points = (known ? known.points : []).map((p, i) => {
        const [value, ts, quality] = d.values[i] || [null, 0];
        return { ...p, value, ts, quality: quality || (ts ? 'good' : 'unread') };
      });
      delete d.values;
    }
    live.devices.set(d.name, d);
  }
  live.totals.push({ ts: e.site.published_ms, buses: busTotals() });
  while (live.totals.length > 2 && live.totals[live.totals.length - 1].ts - live.totals[1].ts >= 10e3) live.totals.shift();
  document.getElementById('version').textContent = e.site.version;
  document.getElementById('config').textContent = e.site.config;
  document.getElementById('state').textContent = e.site.polling ? 'live' : 'stopped';
  if (e.full) route(); else view.update(e.devices);
}

window.addEventListener('hashchange', route);
const events = new EventSource('/api/v1/events');
events.onmessage = onEvent;
events.onerror = () => { document.getElementById('state').textContent = 'reconnecting…'; };
