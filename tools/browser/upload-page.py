#!/usr/bin/env python3
"""Uploads images on `mtmc serve`'s page (GET /) in headless Chromium and prints what the page rendered, as JSON.

usage: upload-page.py URL THRESHOLD IMAGE...

Chromium is driven over the DevTools protocol on a pipe (--remote-debugging-pipe: JSON messages ending in a
NUL byte on file descriptors 3 and 4), so nothing beyond Python and Debian's `chromium` is needed. The page
is tried as a person would: first with an empty threshold, then an invalid one (the status line must
explain each), then with THRESHOLD and the images; the result is every image card's thumbnail state, tasks
and class rows (name, value, bar width, marked or not), and the raw-JSON toggle before and after a click.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

TIMEOUT = 60.0


class Browser:
    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="mtmc-chromium-")
        commands_read, self.commands = os.pipe()
        self.events, events_write = os.pipe()

        def descriptors():
            # Copies first: a pipe end may already be 3 or 4, and dup2 onto itself would keep its close-on-exec flag.
            reading, writing = os.dup(commands_read), os.dup(events_write)
            os.dup2(reading, 3)
            os.dup2(writing, 4)

        binary = shutil.which("chromium") or shutil.which("chromium-browser")
        if binary is None:
            raise SystemExit("chromium is not installed (apt-get install chromium; tools/install-deps.sh installs it)")
        self.process = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe", "--no-first-run",
             "--user-data-dir=" + self.profile, "about:blank"],
            preexec_fn=descriptors, close_fds=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(commands_read)
        os.close(events_write)
        self.buffer = b""
        self.next_id = 0
        self.session = None

    def close(self):
        self.process.kill()
        self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)

    def message(self):
        while b"\0" not in self.buffer:
            chunk = os.read(self.events, 1 << 16)
            if not chunk:
                raise SystemExit("chromium closed the DevTools pipe")
            self.buffer += chunk
        text, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(text)

    def send(self, method, **params):
        self.next_id += 1
        request = {"id": self.next_id, "method": method, "params": params}
        if self.session and not method.startswith("Target."):
            request["sessionId"] = self.session
        os.write(self.commands, json.dumps(request).encode() + b"\0")
        while True:
            answer = self.message()
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    raise SystemExit(f"{method}: {answer['error']}")
                return answer["result"]

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise SystemExit(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression, what):
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.05)
        raise SystemExit(f"the page never showed {what}; its text: {self.evaluate('document.body.innerText')}")


RENDERED = """JSON.stringify({
  status: document.getElementById('status').textContent,
  statusIsProblem: document.getElementById('status').className === 'problem',
  text: document.getElementById('results').innerText,
  rawOpen: document.getElementById('raw').open,
  rawVisible: document.getElementById('answer').checkVisibility(),
  cards: Array.from(document.querySelectorAll('#results .image')).map(card => ({
    image: card.querySelector('h2').textContent,
    thumbnail: card.querySelector('img').complete && card.querySelector('img').naturalWidth > 0,
    tasks: Object.fromEntries(Array.from(card.querySelectorAll('.task')).map(t => [t.dataset.task,
      Array.from(t.querySelectorAll('.row')).map(r => ({
        class: r.dataset.class, value: r.dataset.value, above: r.classList.contains('above'),
        width: r.querySelector('.fill').style.width, shown: r.querySelector('.value').textContent,
        mark: r.querySelector('.mark').textContent}))]))}))
})"""


def submit(browser, threshold):
    browser.evaluate(f"document.getElementById('threshold').value = {json.dumps(threshold)}; "
                     "document.getElementById('status').textContent = ''; document.getElementById('predict').click(); true")


def main():
    url, threshold, images = sys.argv[1], sys.argv[2], [os.path.abspath(p) for p in sys.argv[3:]]
    browser = Browser()
    try:
        target = browser.send("Target.createTarget", url="about:blank")["targetId"]
        browser.session = browser.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        browser.send("Page.enable")
        browser.send("Page.navigate", url=url)
        browser.wait_for("document.readyState === 'complete' && !!document.getElementById('model') && "
                         "!document.getElementById('model').textContent.startsWith('Loading')", "the model line")
        found = {"model": browser.evaluate("document.getElementById('model').textContent")}
        for name, value in [("empty", ""), ("invalid", "1.7")]:
            submit(browser, value)
            found[name] = browser.wait_for("document.getElementById('status').textContent", f"a word on the {name} threshold")
        document = browser.send("DOM.getDocument")["root"]["nodeId"]
        node = browser.send("DOM.querySelector", nodeId=document, selector="#files")["nodeId"]
        browser.send("DOM.setFileInputFiles", files=images, nodeId=node)
        submit(browser, threshold)
        browser.wait_for(f"document.querySelectorAll('#results .image').length === {len(images)} && "
                         "Array.from(document.querySelectorAll('#results img')).every(i => i.complete)", "every image's card")
        found["before_toggle"] = json.loads(browser.evaluate(RENDERED))
        browser.evaluate("document.querySelector('#raw summary').click(); true")
        found["after_toggle"] = json.loads(browser.evaluate(RENDERED))
        found["raw"] = browser.evaluate("document.getElementById('answer').textContent")
        print(json.dumps(found, ensure_ascii=False))
    finally:
        browser.close()


if __name__ == "__main__":
    main()
