#!/usr/bin/env python3
"""The PyTorch peer of `mtmc serve` for the wrk comparison: the standard library's threading HTTP server,
the tiny net with the weights of an mtmc checkpoint (loaded as predict_bench.py loads them), Pillow to
decode and resize, and per image and task the raw outputs and softmax as JSON. One forward per request.

    python3 tools/bench/serve_torch.py CHECKPOINT [PORT]     # POST /predict with a JPEG or PNG body
"""
import io, json, os, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from predict_bench import load_safetensors  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
from tiny_net import Tiny  # noqa: E402

MEAN = torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1)


def load(path):
    tensors, meta = load_safetensors(path)
    tasks = json.loads(meta["tasks"])
    width, height = (int(v) for v in meta["input_size"].split("x"))
    net = Tiny([len(t["classes"]) for t in tasks])
    renamed = {k.replace("backbone.", "").replace(".conv.", ".0.").replace(".bn.", ".1.") if k.startswith("backbone.") else k: v
               for k, v in tensors.items()}
    net.load_state_dict({k: renamed[k] for k in net.state_dict() if not k.endswith("num_batches_tracked")}, strict=False)
    return net.eval(), tasks, (width, height)


def main():
    net, tasks, (width, height) = load(sys.argv[1])

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            try:
                image = Image.open(io.BytesIO(body)).convert("RGB").resize((width, height), Image.BILINEAR)
            except Exception as error:  # noqa: BLE001 - any decoding failure is the client's
                return self.answer(400, {"error": str(error)})
            x = torch.frombuffer(bytearray(image.tobytes()), dtype=torch.uint8).view(height, width, 3).permute(2, 0, 1).float() / 255
            x = ((x - MEAN) / STD)[None]
            with torch.no_grad():
                out = {}
                for index, task in enumerate(tasks):
                    raw = net(x, index)[0]
                    out[task["name"]] = [{"class": c, "raw": r, "softmax": s}
                                         for c, r, s in zip(task["classes"], raw.tolist(), raw.softmax(0).tolist())]
            self.answer(200, {"tasks": out})

        def answer(self, status, obj):
            data = json.dumps(obj, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    port = int(sys.argv[2]) if len(sys.argv) > 2 else 8081
    print(f"torch peer on http://127.0.0.1:{port} (torch threads {torch.get_num_threads()})", flush=True)
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    main()
