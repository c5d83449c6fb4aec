#!/usr/bin/env python3
"""Benchmark of one rotation against a local moto server (IAM auth enforced):
keyturn vs. a plain aws-cli script making the same calls (identify, list,
create, verify x3, delete) vs. the bare requests timed in-process with
botocore. Prints medians of several runs, in one run, and the ratios.
Loopback only."""

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
AWS = os.path.join(os.path.dirname(PY), "aws")
KEYTURN = os.path.join(ROOT, "target", "release", "keyturn")
RUNS = int(os.environ.get("RUNS", "7"))


def awsctl(*args):
    return json.loads(subprocess.check_output([PY, AWSCTL, *args]))


def write_creds(home, key):
    os.makedirs(os.path.join(home, ".aws"), exist_ok=True)
    p = os.path.join(home, ".aws", "credentials")
    fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n" % (key["id"], key["secret"]))


def env_for(home, url):
    e = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    e.update(HOME=home, AWS_ENDPOINT_URL=url, AWS_EC2_METADATA_DISABLED="true",
             AWS_DEFAULT_REGION="us-east-1", NO_PROXY="127.0.0.1,localhost")
    return e


def time_keyturn(home, url):
    t = time.perf_counter()
    subprocess.run([KEYTURN, "rotate"], env=env_for(home, url), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def time_awscli(home, url, user):
    """The classic script's calls, one aws-cli process each."""
    env = env_for(home, url)

    def aws(*a, extra=None):
        return subprocess.run([AWS, *a, "--output", "json"], env={**env, **(extra or {})},
                              check=True, capture_output=True).stdout

    t = time.perf_counter()
    aws("sts", "get-caller-identity")
    aws("iam", "list-access-keys", "--user-name", user)
    new = json.loads(aws("iam", "create-access-key", "--user-name", user))["AccessKey"]
    old_id = open(os.path.join(home, ".aws", "credentials")).read().split("aws_access_key_id = ")[1].split()[0]
    newenv = {"AWS_ACCESS_KEY_ID": new["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": new["SecretAccessKey"]}
    for _ in range(3):
        aws("sts", "get-caller-identity", extra=newenv)
        aws("iam", "list-access-keys", "--user-name", user, extra=newenv)
    aws("iam", "delete-access-key", "--user-name", user, "--access-key-id", old_id, extra=newenv)
    elapsed = time.perf_counter() - t
    return elapsed


def time_bare(url, user, key):
    """The same requests, in-process with warm botocore clients."""
    def clients(k):
        kw = dict(endpoint_url=url, region_name="us-east-1",
                  aws_access_key_id=k["id"], aws_secret_access_key=k["secret"])
        return boto3.client("sts", **kw), boto3.client("iam", **kw)
    sts, iam = clients(key)
    t = time.perf_counter()
    sts.get_caller_identity()
    iam.list_access_keys(UserName=user)
    new = iam.create_access_key(UserName=user)["AccessKey"]
    elapsed = time.perf_counter() - t
    nsts, niam = clients({"id": new["AccessKeyId"], "secret": new["SecretAccessKey"]})
    t = time.perf_counter()
    for _ in range(3):
        nsts.get_caller_identity()
        niam.list_access_keys(UserName=user)
    niam.delete_access_key(UserName=user, AccessKeyId=key["id"])
    return elapsed + (time.perf_counter() - t)


def main():
    url = sys.argv[1]
    admin = awsctl("admin", "--endpoint", url)
    base = ["--endpoint", url, "--admin-id", admin["id"], "--admin-secret", admin["secret"]]
    kt, cli, bare = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(RUNS):
            for kind, out in (("keyturn", kt), ("awscli", cli), ("bare", bare)):
                user = "bench-%s-%d" % (kind, i)
                key = awsctl("user", *base, "--name", user)[0]
                home = os.path.join(tmp, user)
                write_creds(home, key)
                if kind == "keyturn":
                    out.append(time_keyturn(home, url))
                elif kind == "awscli":
                    out.append(time_awscli(home, url, user))
                else:
                    out.append(time_bare(url, user, key))
                left = awsctl("keys", *base, "--name", user)
                assert len(left) == 1 and left[0]["id"] != key["id"], (kind, left)
    m = {k: statistics.median(v) for k, v in (("keyturn", kt), ("awscli", cli), ("bare", bare))}
    print("one rotation against moto, median of %d runs (seconds):" % RUNS)
    for k in ("keyturn", "awscli", "bare"):
        print("  %-8s median %.3f  min %.3f  max %.3f" % (k, m[k], min(locals_for(k, kt, cli, bare)), max(locals_for(k, kt, cli, bare))))
    print("aws-cli script / keyturn = %.1fx (goal >= 10x)" % (m["awscli"] / m["keyturn"]))
    print("keyturn / bare requests  = %.2fx (goal <= 2x)" % (m["keyturn"] / m["bare"]))


def locals_for(k, kt, cli, bare):
    return {"keyturn": kt, "awscli": cli, "bare": bare}[k]


if __name__ == "__main__":
    main()
