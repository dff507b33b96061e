import MTMC

/// GET /: a page to try the server from a browser. Pick images and a threshold; each image comes back as a
/// thumbnail with, per task, its classes as confidence bars (softmax when the model is not calibrated), the
/// classes at or above the threshold marked; the raw JSON sits behind a toggle. An empty or invalid
/// threshold is explained before anything is sent. No framework.
let uploadPage = """
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>mtmc serve</title>
<style>
body{font:15px system-ui,sans-serif;max-width:52em;margin:2em auto;padding:0 1em}
pre{background:#f4f4f4;padding:1em;overflow:auto}
.image{display:flex;gap:1.2em;border-top:1px solid #ddd;padding:1em 0}
.image img{width:128px;height:128px;object-fit:contain;background:#eee;flex:none}
.image h2{font-size:1em;margin:0 0 .4em}
.task h3{font-size:.9em;margin:.6em 0 .2em;color:#444}
.row{display:grid;grid-template-columns:8em 14em 4em 7em;align-items:center;gap:.5em;font-size:.9em}
.bar{background:#eee;height:.9em;border-radius:2px}
.fill{background:#89a;height:100%;border-radius:2px}
.above .fill{background:#2a7}
.above .name{font-weight:bold}
.mark{color:#2a7;font-size:.85em}
.problem{color:#b00}
</style>
</head>
<body>
<h1>mtmc serve</h1>
<p id="model">Loading model…</p>
<form id="form" novalidate>
<input type="file" name="image" id="files" accept="image/jpeg,image/png" multiple>
<label>threshold <input type="text" id="threshold" name="threshold" value="\(Defaults.threshold)" size="5"></label>
<button id="predict">Predict</button>
</form>
<p id="status" role="status"></p>
<div id="results"></div>
<details id="raw"><summary>raw JSON</summary><pre id="answer"></pre></details>
<script>
let calibrated = false;
fetch('/model').then(r => r.json()).then(m => {
  calibrated = m.calibrated;
  document.getElementById('model').textContent = m.architecture + ' ' + m.input_size.width + '×' + m.input_size.height +
    ', tasks ' + m.tasks.map(t => t.name).join(', ') + (m.calibrated ? ', calibrated' : ', not calibrated: bars show softmax') + ', epoch ' + m.epoch;
});
function say(text, problem) {
  const s = document.getElementById('status');
  s.textContent = text;
  s.className = problem ? 'problem' : '';
}
// The threshold as a number from 0 to 1, or a sentence saying what is wrong with it.
function readThreshold(text) {
  const t = text.trim();
  if (t === '') return {problem: 'The threshold is empty: enter a calibrated confidence from 0 to 1 (0.5 marks classes right at least half the time).'};
  const v = Number(t);
  if (!Number.isFinite(v) || v < 0 || v > 1) return {problem: 'The threshold "' + t + '" is not a number from 0 to 1: a class is marked when its calibrated confidence reaches it.'};
  return {value: v};
}
function element(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}
// One class: name, bar, value, and the mark when it reaches the threshold.
function classRow(c, isAbove) {
  const value = calibrated ? c.confidence : c.softmax;
  const row = element('div', 'row' + (isAbove ? ' above' : ''));
  row.dataset.class = c['class'];
  row.dataset.value = value === null ? '' : String(value);
  row.appendChild(element('span', 'name', c['class']));
  const bar = element('div', 'bar'), fill = element('div', 'fill');
  fill.style.width = Math.round(100 * Math.max(0, Math.min(1, value || 0))) + '%';
  bar.appendChild(fill);
  row.appendChild(bar);
  row.appendChild(element('span', 'value', value === null ? '—' : (calibrated && value === 0 ? '<0.10' : value.toFixed(2))));
  row.appendChild(element('span', 'mark', isAbove ? '✓ above threshold' : ''));
  return row;
}
function imageCard(result, file, threshold) {
  const card = element('div', 'image');
  const img = element('img');
  img.alt = result.image;
  if (file) img.src = URL.createObjectURL(file);
  card.appendChild(img);
  const body = element('div');
  body.appendChild(element('h2', '', result.image));
  for (const task of Object.keys(result.tasks).sort()) {
    const section = element('div', 'task');
    section.dataset.task = task;
    section.appendChild(element('h3', '', task));
    const above = new Set((result.above || {})[task] || []);
    const key = c => (calibrated ? c.confidence : c.softmax) || 0;
    for (const c of result.tasks[task].slice().sort((a, b) => key(b) - key(a))) section.appendChild(classRow(c, above.has(c['class'])));
    body.appendChild(section);
  }
  card.appendChild(body);
  return card;
}
document.getElementById('form').addEventListener('submit', async e => {
  e.preventDefault();
  const files = Array.from(document.getElementById('files').files);
  const threshold = readThreshold(document.getElementById('threshold').value);
  if (threshold.problem) return say(threshold.problem, true);
  if (files.length === 0) return say('Choose one or more JPEG or PNG images first.', true);
  const form = new FormData();
  for (const f of files) form.append('image', f, f.name);
  say('predicting ' + files.length + ' image' + (files.length === 1 ? '' : 's') + '…');
  const results = document.getElementById('results');
  results.textContent = '';
  const r = await fetch('/predict?threshold=' + encodeURIComponent(threshold.value), {method: 'POST', body: form});
  const answer = await r.json();
  document.getElementById('answer').textContent = r.status + '\\n' + JSON.stringify(answer, null, 2);
  if (!r.ok) return say('The server refused it (' + r.status + '): ' + answer.error, true);
  answer.forEach((result, i) => results.appendChild(imageCard(result, files[i], threshold.value)));
  say(answer.length + ' image' + (answer.length === 1 ? '' : 's') + ', threshold ' + threshold.value +
      (calibrated ? ': marked classes reach it' : ': the model is not calibrated, so no class is marked'));
});
</script>
</body>
</html>
"""
