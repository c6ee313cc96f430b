"""The churn model as a prediction service (standard library only).

Run from the project folder:  python3 src/serve.py   (or the image built from
env/serve.Dockerfile, where it is /app/serve.py)

GET  /health   {"ready": true} once the model is loaded
POST /predict  one customer as JSON, e.g.
               {"tenure": 2, "monthly_charges": 95.0, "plan": "basic",
                "support_calls": 6, "contract": "month"}
               -> {"churn": true, "probability": 0.93}
Bad input gets 400 with {"error": ...}. MODEL (env) names the model file,
THRESHOLD the decision threshold (default 0.5), PORT the port (8000).
"""

import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from features import NUMERIC, CATEGORICAL, encode, predict_proba  # noqa: E402

MODEL = os.environ.get("MODEL", "models/model.json")
THRESHOLD = float(os.environ.get("THRESHOLD", "0.5"))
PORT = int(os.environ.get("PORT", "8000"))

with open(MODEL, encoding="utf-8") as f:
    model = json.load(f)


def predict(customer):
    missing = [k for k in NUMERIC + list(CATEGORICAL) if k not in customer]
    if missing:
        raise ValueError("missing field(s): %s" % ", ".join(missing))
    p = predict_proba(model["weights"], model["bias"], encode(customer, model["stats"]))
    return {"churn": p >= THRESHOLD, "probability": round(p, 4)}


class Handler(BaseHTTPRequestHandler):
    def answer(self, status, value):
        data = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/health":
            return self.answer(200, {"ready": True})
        self.answer(404, {"error": "not found: GET /health or POST /predict"})

    def do_POST(self):
        if self.path != "/predict":
            return self.answer(404, {"error": "not found: POST /predict"})
        try:
            n = int(self.headers.get("content-length", "0"))
            customer = json.loads(self.rfile.read(n) or b"{}")
            if not isinstance(customer, dict):
                raise ValueError("send one customer as a JSON object")
            self.answer(200, predict(customer))
        except (ValueError, TypeError, KeyError) as e:
            self.answer(400, {"error": str(e)})

    def log_message(self, fmt, *args):
        print("%s %s" % (self.address_string(), fmt % args), flush=True)


if __name__ == "__main__":
    print("serving %s on port %d" % (MODEL, PORT), flush=True)
    ThreadingHTTPServer(("0.0.0.0", PORT), Handler).serve_forever()
