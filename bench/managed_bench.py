#!/usr/bin/env python3
"""Benchmark of issue 20's admin mode against a local moto server (IAM auth
enforced) behind the fault proxy: USERS managed users, each key held only in
a .env file, a Secrets Manager secret and two SSM parameters, rotated by an
operator (a static admin profile) with one `rotate --managed`, then the same
users rotated again one at a time (`rotate --user NAME` each). Prints wall
time and requests per user of each (the proxy's log: IAM, STS, Secrets
Manager, SSM). Checks each phase's result: one key per user, the new pair in
every destination. The service users have no IAM policy at all (their new
key is verified with STS GetCallerIdentity, which needs none). Loopback only."""

import collections
import json
import os
import subprocess
import sys
import time

import boto3

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from proxied import KEYTURN, Proxy, awsctl, env_for, tempdir, write  # noqa: E402

USERS = int(os.environ.get("USERS", "50"))
JOBS = os.environ.get("JOBS")


def setup(home, url, admin):
    kw = dict(endpoint_url=url, region_name="us-east-1",
              aws_access_key_id=admin["id"], aws_secret_access_key=admin["secret"])
    iam, sm, ssm = (boto3.client(s, **kw) for s in ("iam", "secretsmanager", "ssm"))
    write(os.path.join(home, ".aws", "credentials"),
          "[ops]\naws_access_key_id = %s\naws_secret_access_key = %s\n" % (admin["id"], admin["secret"]))
    conf = []
    names = []
    for i in range(USERS):
        name = "svc-%03d" % i
        names.append(name)
        iam.create_user(UserName=name)
        k = iam.create_access_key(UserName=name)["AccessKey"]
        kid, sec = k["AccessKeyId"], k["SecretAccessKey"]
        env_file = os.path.join(home, "envs", name + ".env")
        write(env_file, "AWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\nOTHER=1\n" % (kid, sec))
        sm.create_secret(Name=name + "/aws", SecretString=json.dumps(
            {"AWS_ACCESS_KEY_ID": kid, "AWS_SECRET_ACCESS_KEY": sec, "other": 1}))
        ssm.put_parameter(Name="/%s/id" % name, Value=kid, Type="SecureString")
        ssm.put_parameter(Name="/%s/secret" % name, Value=sec, Type="SecureString")
        conf.append("""
[[destinations]]
name = "{n}-env"
type = "dotenv"
path = "{p}"
[[destinations]]
name = "{n}-sm"
type = "secretsmanager"
secret_id = "{n}/aws"
[[destinations]]
name = "{n}-ssm"
type = "ssm"
id_parameter = "/{n}/id"
secret_parameter = "/{n}/secret"
[[users]]
name = "{n}"
destinations = ["{n}-env", "{n}-sm", "{n}-ssm"]
""".format(n=name, p=env_file))
    cdir = os.path.join(home, ".config", "keyturn")
    os.makedirs(cdir, mode=0o700, exist_ok=True)
    os.chmod(os.path.join(home, ".config"), 0o700)
    write(os.path.join(cdir, "config.toml"), "".join(conf))
    return names, kw


def current(iam, name):
    keys = iam.list_access_keys(UserName=name)["AccessKeyMetadata"]
    assert len(keys) == 1, (name, keys)
    return keys[0]["AccessKeyId"]


def check(kw, home, names, before):
    iam, sm, ssm = (boto3.client(s, **kw) for s in ("iam", "secretsmanager", "ssm"))
    after = {}
    for n in names:
        kid = current(iam, n)
        assert kid != before[n], n
        v = json.loads(sm.get_secret_value(SecretId=n + "/aws")["SecretString"])
        assert v["AWS_ACCESS_KEY_ID"] == kid and v["other"] == 1, n
        p = ssm.get_parameter(Name="/%s/id" % n, WithDecryption=True)["Parameter"]["Value"]
        assert p == kid, n
        with open(os.path.join(home, "envs", n + ".env")) as f:
            assert "AWS_ACCESS_KEY_ID=%s\n" % kid in f.read(), n
        after[n] = kid
    return after


def run(home, url, args):
    extra = ["--jobs", JOBS] if JOBS else []
    t = time.perf_counter()
    subprocess.run([KEYTURN, "rotate", "--profile", "ops", *args, *extra], env=env_for(home, url),
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def requests(proxy):
    log = proxy.ctl("GET", "log")
    by = collections.Counter(e.get("service") or "?" for e in log)
    return len(log), by


def main():
    moto_url = sys.argv[1]
    admin = awsctl("admin", "--endpoint", moto_url)
    with tempdir() as tmp:
        proxy = Proxy(moto_url, tmp)
        try:
            home = os.path.join(tmp, "home")
            names, kw = setup(home, moto_url, admin)
            iam = boto3.client("iam", **kw)
            before = {n: current(iam, n) for n in names}

            proxy.ctl("POST", "reset")
            t_all = run(home, proxy.url, ["--managed"])
            n_all, by_all = requests(proxy)
            mid = check(kw, home, names, before)

            proxy.ctl("POST", "reset")
            t_one = 0.0
            for n in names:
                t_one += run(home, proxy.url, ["--user", n])
            n_one, by_one = requests(proxy)
            check(kw, home, names, mid)
        finally:
            proxy.stop()
    print("admin mode, %d managed users x 3 destinations (dotenv, secretsmanager, ssm x2), "
          "moto + fault proxy, %s:" % (USERS, os.path.relpath(KEYTURN)))
    print("  rotate --managed (one run)   %7.2f s   %5.1f requests/user  %s"
          % (t_all, n_all / USERS, dict(sorted(by_all.items()))))
    print("  rotate --user, one at a time %7.2f s   %5.1f requests/user  %s"
          % (t_one, n_one / USERS, dict(sorted(by_one.items()))))
    print("  speed-up %.2fx" % (t_one / t_all))


if __name__ == "__main__":
    main()
