#!/usr/bin/env python3
"""A pass-through in front of a real OpenBao server, for keyturn's tests: the fault injection and
request log of httpbed.py (holds before / after a request, drops, injected statuses) around a
service that is the real thing.

Usage: vault_pass.py --upstream http://127.0.0.1:PORT --port-file PATH [--parent-pid PID]

Every request not under /_bed/ is forwarded to --upstream as it came (method, path and query,
body, the X-Vault-* and Content-Type headers) and its answer returned (status and JSON body), so
OpenBao itself authenticates, authorizes and stores. GET /_bed/state gives {"requests":
[{method, path, status, fault, t, t_done}]}: t when the request was read, t_done when OpenBao's
answer was in (time.monotonic(), the clock of the fault proxy's log: for ordering only).
Requests are forwarded one at a time (the bed's lock), as keyturn sends them. Never
logs a header value or a body (they hold the token and the secret).
"""

import argparse
import http.client
import json
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import httpbed  # noqa: E402

FORWARDED = ("X-Vault-Token", "X-Vault-Namespace", "X-Vault-Request", "Content-Type")


class Pass(httpbed.Bed):
    def __init__(self, upstream):
        super().__init__()
        u = urllib.parse.urlsplit(upstream)
        self.host, self.port = u.hostname, u.port

    def seed(self, body):
        pass

    def state(self):
        return {}

    def handle(self, method, path, query, headers, raw):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        try:
            fwd = {k: headers[k] for k in FORWARDED if headers.get(k) is not None}
            conn.request(method, path + ("?" + query if query else ""), body=raw or None,
                         headers=fwd)
            resp = conn.getresponse()
            data = resp.read()
        finally:
            conn.close()
        obj = json.loads(data) if data.strip() else None
        return resp.status, obj, {}


def main():
    ap = argparse.ArgumentParser(add_help=False)
    ap.add_argument("--upstream", required=True)
    args, rest = ap.parse_known_args()
    sys.argv = [sys.argv[0]] + rest
    httpbed.serve(Pass(args.upstream), __doc__)


if __name__ == "__main__":
    main()
