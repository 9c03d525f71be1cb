const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const esc = (value) => String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]);

const round = (n) => (n === undefined || n === null ? '' : String(Math.round(n * 10) / 10));

export function page(title, body) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · BP Trend (example app)</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #1b1f24; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border-bottom: 1px solid #d0d7de; padding: .25rem .75rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.refused { background: #fff4e5; border-left: 4px solid #b35900; padding: .5rem .75rem; }
.failed { background: #ffebe9; border-left: 4px solid #cf222e; padding: .5rem .75rem; }
svg { border: 1px solid #d0d7de; background: #f6f8fa; }
.button { display: inline-block; padding: .5rem 1rem; background: #0b5cad; color: #fff; text-decoration: none; border-radius: 4px; border: 0; font: inherit; cursor: pointer; }
</style>
</head>
<body>
${body}
</body>
</html>
`;
}

export function homePage(signedIn) {
  if (!signedIn) {
    return page(
      'Welcome',
      `<h1>BP Trend</h1>
<p>An example app that reads your heart-rate and blood-pressure trends from Linkwell, with your permission.</p>
<p><a class="button" href="/login">Sign in with Linkwell</a></p>`,
    );
  }
  return page(
    'Welcome back',
    `<h1>BP Trend</h1>
<p>You are connected to Linkwell. <a href="/trends">See your trends</a>.</p>
${signOutForm()}`,
  );
}

function signOutForm() {
  return '<form method="post" action="/logout"><button class="button" type="submit">Sign out and disconnect</button></form>';
}

/** A polyline of the windows' means, with a dot per window; empty windows leave gaps. */
function sparkline(points, label) {
  const values = points.filter((p) => p.value !== null).map((p) => p.value);
  if (values.length === 0) return '';
  const width = 320;
  const height = 80;
  const lo = Math.min(...values) - 2;
  const hi = Math.max(...values) + 2;
  const x = (i) => (points.length === 1 ? width / 2 : 10 + (i * (width - 20)) / (points.length - 1));
  const y = (v) => height - 10 - ((v - lo) * (height - 20)) / (hi - lo);
  const dots = points
    .map((p, i) => (p.value === null ? '' : `<circle cx="${x(i)}" cy="${y(p.value)}" r="3" fill="#0b5cad"/>`))
    .join('');
  const segments = [];
  let current = [];
  points.forEach((p, i) => {
    if (p.value === null) {
      if (current.length) segments.push(current);
      current = [];
    } else current.push(`${x(i)},${y(p.value)}`);
  });
  if (current.length) segments.push(current);
  const lines = segments
    .map((s) => `<polyline fill="none" stroke="#0b5cad" stroke-width="2" points="${s.join(' ')}"/>`)
    .join('');
  return `<svg width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(label)}">${lines}${dots}</svg>`;
}

const dayOf = (w) => w.date ?? w.start.slice(0, 10);

function heartRateSection(result) {
  if (!result.ok) return failure('heart rate', result);
  const windows = result.body.windows;
  const rows = windows
    .map((w) => {
      const bpm = w.values.bpm;
      if (w.empty || !bpm)
        return `<tr data-date="${esc(dayOf(w))}"><td>${esc(dayOf(w))}</td><td colspan="4">no readings</td></tr>`;
      return `<tr data-date="${esc(dayOf(w))}"><td>${esc(dayOf(w))}</td><td>${round(bpm.mean)}</td><td>${round(bpm.min)}</td><td>${round(bpm.max)}</td><td>${w.count}</td></tr>`;
    })
    .join('\n');
  const chart = sparkline(
    windows.map((w) => ({ value: w.empty || !w.values.bpm ? null : w.values.bpm.mean })),
    'Mean heart rate per day',
  );
  return `${chart}
<table id="heart-rate-table">
<thead><tr><th>Day</th><th>Mean bpm</th><th>Min</th><th>Max</th><th>Readings</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
}

function bloodPressureSection(result) {
  if (!result.ok) return failure('blood pressure', result);
  const rows = result.body.windows
    .map((w) => {
      const sys = w.values.systolic;
      const dia = w.values.diastolic;
      if (w.empty || !sys || !dia)
        return `<tr data-date="${esc(dayOf(w))}"><td>${esc(dayOf(w))}</td><td colspan="3">no readings</td></tr>`;
      return `<tr data-date="${esc(dayOf(w))}"><td>${esc(dayOf(w))}</td><td>${round(sys.mean)}</td><td>${round(dia.mean)}</td><td>${w.count}</td></tr>`;
    })
    .join('\n');
  return `<table id="blood-pressure-table">
<thead><tr><th>Day</th><th>Systolic mmHg</th><th>Diastolic mmHg</th><th>Readings</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
}

/**
 * A refusal is shown as one: 403 insufficient_scope (RFC 6750 §3.1) means the person did not share this
 * family with the app, which is not the same as having no readings.
 */
function failure(family, result) {
  const p = result.problem ?? {};
  if (result.status === 403 && p.error === 'insufficient_scope') {
    return `<p class="refused" data-status="403" data-error="insufficient_scope">You did not share ${esc(family)} with this app. Linkwell answered 403 insufficient_scope (${esc(p.code ?? '')}: ${esc(p.detail ?? '')}).</p>`;
  }
  if (result.status === 429) {
    return `<p class="failed" data-status="429">Linkwell limits how often this app may read your data; try again in ${esc(result.retryAfter ?? '?')} s.</p>`;
  }
  return `<p class="failed" data-status="${result.status}">Could not read ${esc(family)}: Linkwell answered ${result.status} ${esc(p.code ?? '')} ${esc(p.detail ?? p.title ?? '')}</p>`;
}

export function trendsPage({ subject, scope, heartRate, bloodPressure }) {
  return page(
    'Your trends',
    `<h1>Your last 7 days</h1>
<p>Linkwell knows you to this app as <code id="subject">${esc(subject ?? 'unknown')}</code>; you shared <code id="granted-scope">${esc(scope)}</code>.</p>
<section id="heart-rate" aria-labelledby="hr-title">
<h2 id="hr-title">Heart rate</h2>
${heartRate}
</section>
<section id="blood-pressure" aria-labelledby="bp-title">
<h2 id="bp-title">Blood pressure</h2>
${bloodPressure}
</section>
${signOutForm()}`,
  );
}

export const renderHeartRate = heartRateSection;
export const renderBloodPressure = bloodPressureSection;

export function messagePage(title, message, status = 200) {
  return {
    status,
    html: page(
      title,
      `<h1>${esc(title)}</h1><p id="message">${esc(message)}</p><p><a href="/">Back to the start</a></p>`,
    ),
  };
}
