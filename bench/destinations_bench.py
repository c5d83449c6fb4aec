#!/usr/bin/env python3
"""Benchmark of issue 19's destinations against a local moto server (IAM
auth enforced): one rotation without destinations vs. one with three
(dotenv, secretsmanager, ssm with two parameters). Prints the median of
RUNS runs of each, the time the destinations add, and the ratio. Checks
each run's result (one key left; every destination holds it). Loopback
only."""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import boto3

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PY = sys.executable
AWSCTL = os.path.join(ROOT, "tests", "support", "awsctl.py")
# KEYTURN_BIN: another build (e.g. target/debug/keyturn) instead of the release one.
KEYTURN = os.environ.get("KEYTURN_BIN") or os.path.join(ROOT, "target", "release", "keyturn")
RUNS = int(os.environ.get("RUNS", "7"))


def awsctl(*args):
    return json.loads(subprocess.check_output([PY, AWSCTL, *args]))


def private(path, text):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


def setup(home, key, name, url, admin, with_dests):
    os.makedirs(os.path.join(home, ".aws"), exist_ok=True)
    private(os.path.join(home, ".aws", "credentials"),
            "[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n" % (key["id"], key["secret"]))
    if not with_dests:
        return None
    conf = os.path.join(home, ".config", "keyturn")
    os.makedirs(conf, mode=0o700, exist_ok=True)
    os.chmod(os.path.join(home, ".config"), 0o700)
    env_file = os.path.join(home, "app.env")
    private(env_file, "AWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\n" % (key["id"], key["secret"]))
    kw = dict(endpoint_url=url, region_name="us-east-1",
              aws_access_key_id=admin["id"], aws_secret_access_key=admin["secret"])
    boto3.client("secretsmanager", **kw).create_secret(Name=name, SecretString='{"other": 1}')
    private(os.path.join(conf, "config.toml"), """
[[destinations]]
name = "env"
type = "dotenv"
profiles = ["default"]
path = "%s"

[[destinations]]
name = "sm"
type = "secretsmanager"
profiles = ["default"]
secret_id = "%s"

[[destinations]]
name = "ssm"
type = "ssm"
profiles = ["default"]
id_parameter = "/%s/id"
secret_parameter = "/%s/secret"
""" % (env_file, name, name, name))
    return kw


def check(kw, name, new_id):
    sm = boto3.client("secretsmanager", **kw)
    v = json.loads(sm.get_secret_value(SecretId=name)["SecretString"])
    assert v["AWS_ACCESS_KEY_ID"] == new_id and v["other"] == 1, v
    ssm = boto3.client("ssm", **kw)
    p = ssm.get_parameter(Name="/%s/id" % name, WithDecryption=True)["Parameter"]["Value"]
    assert p == new_id, p


def run(home, url):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(HOME=home, AWS_ENDPOINT_URL=url, AWS_EC2_METADATA_DISABLED="true",
               NO_PROXY="127.0.0.1,localhost")
    env.pop("XDG_CONFIG_HOME", None)
    t = time.perf_counter()
    subprocess.run([KEYTURN, "rotate"], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def main():
    url = sys.argv[1]
    admin = awsctl("admin", "--endpoint", url)
    base = ["--endpoint", url, "--admin-id", admin["id"], "--admin-secret", admin["secret"]]
    times = {False: [], True: []}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(RUNS):
            for with_dests in (False, True):
                name = "bench-%s-%d" % ("dests" if with_dests else "plain", i)
                key = awsctl("user", *base, "--name", name)[0]
                home = os.path.join(tmp, name)
                kw = setup(home, key, name, url, admin, with_dests)
                times[with_dests].append(run(home, url))
                left = awsctl("keys", *base, "--name", name)
                assert len(left) == 1 and left[0]["id"] != key["id"], left
                if kw:
                    check(kw, name, left[0]["id"])
    plain, dests = statistics.median(times[False]), statistics.median(times[True])
    print("one rotation against moto, median of %d runs (seconds):" % RUNS)
    print("  without destinations  %.3f  (min %.3f, max %.3f)" % (plain, min(times[False]), max(times[False])))
    print("  with three            %.3f  (min %.3f, max %.3f)" % (dests, min(times[True]), max(times[True])))
    print("three destinations add %.3f s; with / without = %.2fx" % (dests - plain, dests / plain))


if __name__ == "__main__":
    main()
