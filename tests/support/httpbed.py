"""What the GitHub and GitLab test beds share (test support for keyturn).

A threaded HTTP server on 127.0.0.1 (port 0; the port is written atomically to --port-file once
listening), exiting when --parent-pid dies, with a control API under /_bed/ and fault injection:

    GET  /_bed/state       the service's state as the bed holds it (bed-specific), plus
                           "requests": [{method, path, status, fault, t, t_done}] and
                           "violations": [text] (t: time.monotonic() when the request was read,
                           t_done: when it was carried out; the clock of the fault proxy's log)
    POST /_bed/seed        bed-specific initial state (see each bed)
    POST /_bed/faults      [rule, ...] replaces the rules. Rule: {"method": "PUT"|"*",
                           "path": regex (re.search on the path), "skip": 0, "times": null,
                           "status": 500 | "delay_ms": N | "drop": true}
                           "drop": the request is read and carried out, then the connection is
                           closed without an answer (a lost reply). "drop_before": true closes it
                           without carrying it out. "hold": "before" | "after": the request waits
                           (before being carried out, or after, before its answer) until
                           POST /_bed/release, so a test can kill the client meanwhile.
    GET  /_bed/held        {"held": N} requests held and not yet finished: a released request
                           counts until it was carried out and answered (or its client found
                           gone), so {"held": 0} after a release means no stale request of a
                           killed client can still land
    POST /_bed/release     lets every held request go on
    POST /_bed/reset-faults

Never logs a header value or a body (they hold tokens and sealed secrets).
"""

import argparse
import json
import os
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Bed:
    """One service: subclasses implement handle(method, path, query, headers, body) ->
    (status, json_body or None, extra_headers), seed(dict), state() -> dict."""

    def __init__(self):
        self.lock = threading.RLock()
        self.released = threading.Event()
        self.held = 0
        self.rules = []
        self.requests = []
        self.violations = []

    def violation(self, text):
        self.violations.append(text)

    def fault_for(self, method, path):
        for rule in self.rules:
            if rule.get("method", "*") not in ("*", method):
                continue
            if not re.search(rule.get("path", ""), path):
                continue
            rule["seen"] = rule.get("seen", 0) + 1
            if rule["seen"] <= rule.get("skip", 0):
                continue
            times = rule.get("times")
            if times is not None and rule.get("hits", 0) >= times:
                continue
            rule["hits"] = rule.get("hits", 0) + 1
            return rule
        return None


def make_handler(bed):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def setup(self):
            super().setup()
            # Headers and body go out in two writes: without TCP_NODELAY, Nagle holds the
            # second until the client's delayed ACK (40 ms a request).
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def _body(self):
            n = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(n) if n else b""

        def _send(self, status, obj, headers=None):
            data = b"" if obj is None else json.dumps(obj).encode()
            self.send_response(status)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            if obj is not None:
                self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _control(self, method, path, raw):
            if path == "/_bed/held" and method == "GET":
                with bed.lock:
                    return self._send(200, {"held": bed.held})
            if path == "/_bed/release":
                bed.released.set()
                return self._send(200, {"ok": True})
            if path == "/_bed/state" and method == "GET":
                with bed.lock:
                    out = bed.state()
                    out["requests"] = list(bed.requests)
                    out["violations"] = list(bed.violations)
                return self._send(200, out)
            body = json.loads(raw or b"null")
            with bed.lock:
                if path == "/_bed/seed":
                    bed.seed(body)
                elif path == "/_bed/faults":
                    bed.rules = body
                elif path == "/_bed/reset-faults":
                    bed.rules = []
                    bed.released.clear()
                else:
                    return self._send(404, {"message": "unknown control path"})
            return self._send(200, {"ok": True})

        def _any(self):
            self._was_held = False
            try:
                return self._request()
            finally:
                if self._was_held:
                    with bed.lock:
                        bed.held -= 1

        def _request(self):
            method = self.command
            raw = self._body()
            path, _, query = self.path.partition("?")
            if path.startswith("/_bed/"):
                return self._control(method, path, raw)
            with bed.lock:
                rule = bed.fault_for(method, path)
            entry = {"method": method, "path": path, "status": None, "fault": None,
                     "t": time.monotonic()}
            if rule and rule.get("delay_ms"):
                entry["fault"] = "delay"
                time.sleep(rule["delay_ms"] / 1000)
            if rule and rule.get("hold") == "before":
                entry["fault"] = "hold_before"
                self._hold()
            if rule and rule.get("drop_before"):
                entry["fault"] = "drop_before"
                with bed.lock:
                    bed.requests.append(entry)
                self.close_connection = True
                return
            if rule and rule.get("status"):
                entry["fault"] = "status"
                entry["status"] = rule["status"]
                with bed.lock:
                    bed.requests.append(entry)
                return self._send(rule["status"], {"message": "injected failure"})
            with bed.lock:
                status, obj, headers = bed.handle(method, path, query, self.headers, raw)
                entry["t_done"] = time.monotonic()
                entry["status"] = status
                if rule and rule.get("drop"):
                    entry["fault"] = "drop"
                bed.requests.append(entry)
            if rule and rule.get("hold") == "after":
                entry["fault"] = "hold_after"
                self._hold()
            if rule and rule.get("drop"):
                self.close_connection = True
                return
            try:
                return self._send(status, obj, headers)
            except OSError:
                # The client is gone (killed while the request was held).
                self.close_connection = True

        def _hold(self):
            # Counted until the request is finished (see _any), not only
            # until released.
            with bed.lock:
                bed.held += 1
            self._was_held = True
            bed.released.wait()

        do_GET = do_PUT = do_POST = do_PATCH = do_DELETE = _any

    return Handler


def serve(bed, description):
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--parent-pid", type=int)
    args = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(bed))
    srv.daemon_threads = True
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.replace(tmp, args.port_file)
    if args.parent_pid:
        def watch():
            while True:
                try:
                    os.kill(args.parent_pid, 0)
                except OSError:
                    os._exit(0)
                time.sleep(1)
        threading.Thread(target=watch, daemon=True).start()
    srv.serve_forever()
