#!/usr/bin/env python3
"""Benchmark: `keyturn rotate --all` over 200 profiles in 50 IAM users
(4 profiles share each user's key: 2 in the credentials file, 2 in the
config file) against a local moto server, beside 200 sequential
single-profile runs, in the same run. Prints figures; asserts nothing
about time. Loopback only."""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PY = sys.executable
AWSCTL = os.path.join(ROOT, "tests", "support", "awsctl.py")
KEYTURN = os.path.join(ROOT, "target", "release", "keyturn")
USERS = int(os.environ.get("USERS", "50"))
RUNS = int(os.environ.get("RUNS", "3"))


def awsctl(*args):
    return json.loads(subprocess.check_output([PY, AWSCTL, *args]))


def write(path, text):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


def fleet(url, base, home, tag):
    os.makedirs(os.path.join(home, ".aws"), exist_ok=True)
    creds, config, names = [], [], []
    for u in range(USERS):
        k = awsctl("user", *base, "--name", "%s-u%d" % (tag, u))[0]
        pair = "aws_access_key_id = %s\naws_secret_access_key = %s\n" % (k["id"], k["secret"])
        for p in ("a", "b"):
            creds.append("[u%d-%s]\n%s" % (u, p, pair))
            names.append("u%d-%s" % (u, p))
        for p in ("c", "d"):
            config.append("[profile u%d-%s]\nregion = eu-west-1\n%s" % (u, p, pair))
            names.append("u%d-%s" % (u, p))
    write(os.path.join(home, ".aws", "credentials"), "".join(creds))
    write(os.path.join(home, ".aws", "config"), "".join(config))
    return names


def env_for(home, url):
    e = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    e.update(HOME=home, AWS_ENDPOINT_URL=url, AWS_EC2_METADATA_DISABLED="true",
             NO_PROXY="127.0.0.1,localhost")
    return e


def main():
    url = sys.argv[1]
    admin = awsctl("admin", "--endpoint", url)
    base = ["--endpoint", url, "--admin-id", admin["id"], "--admin-secret", admin["secret"]]
    all_times, seq_times = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(RUNS):
            home = os.path.join(tmp, "all%d" % r)
            names = fleet(url, base, home, "all%d" % r)
            t = time.perf_counter()
            out = subprocess.run([KEYTURN, "rotate", "--all", "--jobs", "8", "--output", "json"],
                                 env=env_for(home, url), capture_output=True, text=True)
            all_times.append(time.perf_counter() - t)
            items = json.loads(out.stdout)
            rotated = sum(1 for i in items if i["status"] == "rotated")
            assert out.returncode == 0 and rotated == len(names), (out.returncode, rotated, out.stderr[-500:])
        home = os.path.join(tmp, "seq")
        names = fleet(url, base, home, "seq")
        t = time.perf_counter()
        for n in names:
            subprocess.run([KEYTURN, "rotate", n], env=env_for(home, url), check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seq_times.append(time.perf_counter() - t)
    m = statistics.median(all_times)
    print("%d profiles in %d users against moto:" % (USERS * 4, USERS))
    print("  rotate --all --jobs 8: median %.2f s over %d runs (min %.2f, max %.2f)  goal <= 5 s"
          % (m, RUNS, min(all_times), max(all_times)))
    print("  %d sequential single-profile runs: %.2f s (each rotates its key again)"
          % (len(names), seq_times[0]))
    print("  ratio sequential / --all = %.1fx" % (seq_times[0] / m))


if __name__ == "__main__":
    main()
