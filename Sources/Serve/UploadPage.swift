/// GET /: a page to try the server from a browser: pick images, see the JSON answer. No framework.
let uploadPage = """
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>mtmc serve</title>
<style>body{font:15px system-ui,sans-serif;max-width:48em;margin:2em auto;padding:0 1em}pre{background:#f4f4f4;padding:1em;overflow:auto}</style>
</head>
<body>
<h1>mtmc serve</h1>
<p id="model">Loading model…</p>
<form id="form">
<input type="file" name="image" accept="image/jpeg,image/png" multiple required>
<label>threshold <input type="number" name="threshold" min="0" max="1" step="0.05" value="0.5"></label>
<button>Predict</button>
</form>
<pre id="answer"></pre>
<script>
fetch('/model').then(r => r.json()).then(m => {
  document.getElementById('model').textContent = m.architecture + ' ' + m.input_size.width + '×' + m.input_size.height +
    ', tasks ' + m.tasks.map(t => t.name).join(', ') + (m.calibrated ? ', calibrated' : ', not calibrated') + ', epoch ' + m.epoch;
});
document.getElementById('form').addEventListener('submit', async e => {
  e.preventDefault();
  const form = new FormData(), files = e.target.image.files;
  for (const f of files) form.append('image', f, f.name);
  const out = document.getElementById('answer');
  out.textContent = 'predicting…';
  const r = await fetch('/predict?threshold=' + encodeURIComponent(e.target.threshold.value), {method: 'POST', body: form});
  out.textContent = r.status + '\\n' + JSON.stringify(await r.json(), null, 2);
});
</script>
</body>
</html>
"""
