#!/usr/bin/env python3
"""Benchmark (issue 18 item 3): `keyturn rotate --all` over USERS IAM users (one profile
each) through the fault proxy delaying every request DELAY_MS, run by the BEFORE binary and
by AFTER (this build), one after the other in the same run, each on its own users. Prints
each one's wall time, how many profiles failed and how (the first error line); asserts
nothing about time. Loopback only."""

import collections
import json
import os
import re
import subprocess
import sys
import time

import boto3

from proxied import KEYTURN, Proxy, awsctl, env_for, tempdir, write

USERS = int(os.environ.get("USERS", "120"))
DELAY_MS = int(os.environ.get("DELAY_MS", "250"))
JOBS = os.environ.get("JOBS")
POLICY = json.dumps({"Version": "2012-10-17",
                     "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


def users(moto, admin, tag):
    """USERS users with one key each, made straight against moto (not through the proxy)."""
    iam = boto3.client("iam", endpoint_url=moto, region_name="us-east-1",
                       aws_access_key_id=admin["id"], aws_secret_access_key=admin["secret"])
    creds = []
    for u in range(USERS):
        name = "%s-u%d" % (tag, u)
        iam.create_user(UserName=name)
        iam.put_user_policy(UserName=name, PolicyName="all", PolicyDocument=POLICY)
        k = iam.create_access_key(UserName=name)["AccessKey"]
        creds.append("[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
                     % (name, k["AccessKeyId"], k["SecretAccessKey"]))
    return "".join(creds)


def run(label, binary, moto, admin, proxy, tmp):
    home = os.path.join(tmp, label)
    write(os.path.join(home, ".aws", "credentials"), users(moto, admin, label))
    proxy.ctl("POST", "reset")
    proxy.ctl("POST", "rules", [{"action": "*", "fault": "delay", "ms": DELAY_MS}])
    args = [binary, "rotate", "--all", "--output", "json"]
    if JOBS:
        args += ["--jobs", JOBS]
    t = time.perf_counter()
    out = subprocess.run(args, env=env_for(home, proxy.url), capture_output=True, text=True)
    wall = time.perf_counter() - t
    proxy.ctl("POST", "rules", [])
    try:
        items = json.loads(out.stdout)
    except ValueError:
        items = []
    failed = [i for i in items if i.get("status") != "rotated"]
    # Grouped by message, the profile's name taken out.
    why = collections.Counter(
        re.sub(r"^profile `[^`]*`: ", "",
               (i.get("error") or {}).get("message") or i.get("status") or "?")[:100]
        for i in failed)
    print("%-6s %s: %.1f s, exit %d, %d of %d rotated, %d failed"
          % (label, binary, wall, out.returncode, len(items) - len(failed), USERS, len(failed)))
    for msg, n in why.most_common(3):
        print("         %3d x %s" % (n, msg))
    if not items:
        print("         (no JSON; stderr tail: %s)" % out.stderr[-300:].replace("\n", " | "))


def main():
    moto = sys.argv[1]
    before = os.environ.get("BEFORE")
    if not before:
        raise SystemExit("BEFORE=/path/to/the/old/keyturn is required")
    after = os.environ.get("AFTER") or KEYTURN
    admin = awsctl("admin", "--endpoint", moto)
    print("rotate --all, %d users, every request %d ms late, --jobs %s:"
          % (USERS, DELAY_MS, JOBS or "default (4)"))
    with tempdir() as tmp:
        proxy = Proxy(moto, tmp)
        try:
            run("before", before, moto, admin, proxy, tmp)
            run("after", after, moto, admin, proxy, tmp)
        finally:
            proxy.stop()


if __name__ == "__main__":
    main()
