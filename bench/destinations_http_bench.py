#!/usr/bin/env python3
"""Benchmark of the HTTP destinations (issue 19) against a local moto server (IAM auth
enforced): one rotation without destinations vs. one with three (vault on a real OpenBao dev
server, github on tests/support/github_bed.py, gitlab on tests/support/gitlab_bed.py). Prints
the median of RUNS runs of each, the time the destinations add, and the ratio. Checks each
run's result (one key left; every destination holds it). Loopback only.
Usage: bench/with-moto bench/destinations_http_bench.py  (RUNS=N; KEYTURN=path to another build)
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

import destinations_bench as base

HERE = os.path.dirname(os.path.abspath(__file__))
SUPPORT = os.path.join(base.ROOT, "tests", "support")
base.KEYTURN = os.environ.get("KEYTURN", base.KEYTURN)
RUNS = int(os.environ.get("RUNS", "7"))
GH, GL = "ghp_bench000000000000000000000000000000", "glpat-bench-0000000000"


def start(args, ready):
    p = subprocess.Popen([sys.executable, *args, "--parent-pid", str(os.getpid())],
                         stdout=subprocess.DEVNULL)
    for _ in range(1200):
        if os.path.exists(ready) and open(ready).read():
            return p, open(ready).read()
        time.sleep(0.05)
    sys.exit("bench: %s did not start" % args[0])


def post(url, body):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"null")


def main():
    url = sys.argv[1]
    admin = base.awsctl("admin", "--endpoint", url)
    cred = ["--endpoint", url, "--admin-id", admin["id"], "--admin-secret", admin["secret"]]
    times = {False: [], True: []}
    with tempfile.TemporaryDirectory() as tmp:
        bao, ready = start([os.path.join(SUPPORT, "openbao_bed.py"), "--ready-file",
                            os.path.join(tmp, "bao.json"), "--root-token", "bench-root"],
                           os.path.join(tmp, "bao.json"))
        bao_info = json.loads(ready)
        gh, port = start([os.path.join(SUPPORT, "github_bed.py"), "--port-file",
                          os.path.join(tmp, "gh.port")], os.path.join(tmp, "gh.port"))
        gh_url = "http://127.0.0.1:%s" % port
        gl, port = start([os.path.join(SUPPORT, "gitlab_bed.py"), "--port-file",
                          os.path.join(tmp, "gl.port")], os.path.join(tmp, "gl.port"))
        gl_url = "http://127.0.0.1:%s" % port
        try:
            post(gh_url + "/_bed/seed", {"tokens": {GH: "write"},
                                         "repos": {"octo/app": {"id": 1}}})
            post(gl_url + "/_bed/seed", {"tokens": {GL: "maintainer"},
                                         "projects": {"grp/app": 42}})
            for i in range(RUNS):
                for with_dests in (False, True):
                    name = "bench-%s-%d" % ("dests" if with_dests else "plain", i)
                    key = base.awsctl("user", *cred, "--name", name)[0]
                    home = os.path.join(tmp, name)
                    base.setup(home, key, name, url, admin, False)
                    if with_dests:
                        conf = os.path.join(home, ".config", "keyturn")
                        os.makedirs(conf, mode=0o700, exist_ok=True)
                        os.chmod(os.path.join(home, ".config"), 0o700)
                        base.private(os.path.join(conf, "config.toml"), """
[[destinations]]
name = "bao"
type = "vault"
profiles = ["default"]
path = "bench/%s"
address = "%s"

[[destinations]]
name = "gh"
type = "github"
profiles = ["default"]
repository = "octo/app"
api_url = "%s"
id_name = "ID_%d"
secret_name = "SECRET_%d"

[[destinations]]
name = "gl"
type = "gitlab"
profiles = ["default"]
project = "grp/app"
environment_scope = "%s"
url = "%s"
""" % (name, bao_info["addr"], gh_url, i, i, name, gl_url))
                    os.environ.update(VAULT_TOKEN=bao_info["rw_token"], GITHUB_TOKEN=GH,
                                      GITLAB_TOKEN=GL)
                    times[with_dests].append(base.run(home, url))
                    left = base.awsctl("keys", *cred, "--name", name)
                    assert len(left) == 1 and left[0]["id"] != key["id"], left
                    if with_dests:
                        state = json.loads(urllib.request.urlopen(gl_url + "/_bed/state").read())
                        ids = [v["value"] for v in state["variables"]
                               if v["environment_scope"] == name and v["key"] == "AWS_ACCESS_KEY_ID"]
                        assert ids == [left[0]["id"]], ids
        finally:
            for p in (bao, gh, gl):
                p.terminate()
                p.wait()
    plain, dests = statistics.median(times[False]), statistics.median(times[True])
    print("one rotation against moto, median of %d runs (seconds), %s:" % (RUNS, base.KEYTURN))
    print("  without destinations  %.3f  (min %.3f, max %.3f)" % (plain, min(times[False]), max(times[False])))
    print("  with vault+github+gitlab %.3f  (min %.3f, max %.3f)" % (dests, min(times[True]), max(times[True])))
    print("three HTTP destinations add %.3f s; with / without = %.2fx" % (dests - plain, dests / plain))


if __name__ == "__main__":
    main()
