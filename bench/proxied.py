"""Shared by the benchmarks that need real AWS conditions: starts the fault proxy
(tests/support/faultproxy.py) in front of the moto server bench/with-moto started, and
talks to its control API. Loopback only."""

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PY = sys.executable
AWSCTL = os.path.join(ROOT, "tests", "support", "awsctl.py")
PROXY = os.path.join(ROOT, "tests", "support", "faultproxy.py")
# KEYTURN_BIN: another build (e.g. a debug one while profiling by hand).
KEYTURN = os.environ.get("KEYTURN_BIN") or os.path.join(ROOT, "target", "release", "keyturn")


def awsctl(*args):
    return json.loads(subprocess.check_output([PY, AWSCTL, *args]))


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


def env_for(home, url):
    e = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    e.update(HOME=home, AWS_ENDPOINT_URL=url, AWS_EC2_METADATA_DISABLED="true",
             NO_PROXY="127.0.0.1,localhost")
    return e


class Proxy:
    def __init__(self, moto_url, tmp):
        port_file = os.path.join(tmp, "proxy.port")
        self.proc = subprocess.Popen([PY, PROXY, "--upstream", moto_url, "--port-file", port_file,
                                      "--parent-pid", str(os.getpid())],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while not os.path.exists(port_file):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("fault proxy did not start")
            time.sleep(0.05)
        with open(port_file) as f:
            self.url = "http://127.0.0.1:%s" % f.read().strip()

    def ctl(self, method, name, payload=None):
        data = json.dumps(payload).encode() if payload is not None else (
            b"" if method == "POST" else None)
        req = urllib.request.Request(self.url + "/__proxy/" + name, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def tempdir():
    return tempfile.TemporaryDirectory(prefix="keyturn-bench-")
