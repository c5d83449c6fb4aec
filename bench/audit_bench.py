#!/usr/bin/env python3
"""Benchmark of `keyturn audit` against a local moto server (IAM auth
enforced): an account of 1,000 users, then an organization of 20 member
accounts through --org-role. Compares keyturn with the same work done by
plain boto3 loops in-process (the usual audit script: sequential ListUsers,
ListAccessKeys, GetAccessKeyLastUsed; or the credential report, one account
after the other). Prints medians; asserts results, never times. Loopback only.

Then the same again through the tests' fault proxy adding LATENCY_MS (20)
to every request, since moto answers far faster than AWS and is a single
Python process: concurrency only shows against real latency.

Usage: bench/audit_bench.py http://127.0.0.1:PORT   (RUNS=N, USERS=N,
ACCOUNTS=N, MEMBER_USERS=N, LATENCY_MS=N (0: skip), RUNS_LATENCY=N)"""

import csv
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

import boto3

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PY = sys.executable
AWSCTL = os.path.join(ROOT, "tests", "support", "awsctl.py")
KEYTURN = os.environ.get("KEYTURN_BIN", os.path.join(ROOT, "target", "release", "keyturn"))
RUNS = int(os.environ.get("RUNS", "3"))
USERS = int(os.environ.get("USERS", "1000"))
ACCOUNTS = int(os.environ.get("ACCOUNTS", "20"))
MEMBER_USERS = int(os.environ.get("MEMBER_USERS", "50"))
LATENCY_MS = int(os.environ.get("LATENCY_MS", "20"))
RUNS_LATENCY = int(os.environ.get("RUNS_LATENCY", "1"))
ROLE = "OrganizationAccountAccessRole"
POLICY = json.dumps({"Version": "2012-10-17",
                     "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


def loopback(url):
    assert urllib.parse.urlparse(url).hostname in ("127.0.0.1", "localhost", "::1"), url
    return url


def awsctl(*args):
    return json.loads(subprocess.check_output([PY, AWSCTL, *args]))


def reset_auth(url, n):
    req = urllib.request.Request(url + "/moto-api/reset-auth", data=str(n).encode(),
                                 headers={"Content-Type": "text/plain"}, method="POST")
    urllib.request.urlopen(req, timeout=30).read()


def client(service, url, key, secret, token=None, account=None):
    c = boto3.client(service, endpoint_url=loopback(url), region_name="us-east-1",
                     aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token)
    if account:
        c.meta.events.register("before-sign.*.*", lambda request, **kw:
                               request.headers.__setitem__("x-moto-account-id", account))
    return c


def populate(iam, n, prefix, url):
    """n users: every 10th with two active keys, one in 10 with an inactive
    key, one in 10 without keys, the rest one key; a third of the keys
    used once. Returns the number of keys."""
    keys = 0
    for i in range(n):
        name = "%s%04d" % (prefix, i)
        iam.create_user(UserName=name)
        kinds = {0: 2, 2: 0}.get(i % 10, 1)
        for _ in range(kinds):
            k = iam.create_access_key(UserName=name)["AccessKey"]
            keys += 1
            if i % 10 == 1:
                iam.update_access_key(UserName=name, AccessKeyId=k["AccessKeyId"], Status="Inactive")
            elif i % 3 == 0:
                # moto records a key's last use on any request it signs.
                client("sts", url, k["AccessKeyId"], k["SecretAccessKey"]).get_caller_identity()
    return keys


def env_for(home, url):
    e = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    e.update(HOME=home, AWS_ENDPOINT_URL=url, AWS_EC2_METADATA_DISABLED="true",
             NO_PROXY="127.0.0.1,localhost")
    return e


def keyturn(home, url, *args):
    t = time.perf_counter()
    p = subprocess.run([KEYTURN, "audit", "--output", "json", *args], env=env_for(home, url),
                       capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    assert p.returncode in (0, 4), (p.returncode, p.stderr, p.stdout[-2000:])
    return elapsed, json.loads(p.stdout)


def boto_listing(iam):
    """The classic audit script: every user, every key, every last use, one
    request after the other."""
    t = time.perf_counter()
    found = 0
    for page in iam.get_paginator("list_users").paginate():
        for u in page["Users"]:
            for k in iam.list_access_keys(UserName=u["UserName"])["AccessKeyMetadata"]:
                if k["Status"] == "Active":
                    iam.get_access_key_last_used(AccessKeyId=k["AccessKeyId"])
                    found += 1
    return time.perf_counter() - t, found


def boto_report(iam, ids=True):
    """The credential report; with `ids`, also what keyturn does with it:
    ListAccessKeys for each user with a finding at the default thresholds
    (an active key never used, or two active keys), to name the keys."""
    t = time.perf_counter()
    while iam.generate_credential_report()["State"] != "COMPLETE":
        time.sleep(0.1)
    rows = list(csv.DictReader(io.StringIO(iam.get_credential_report()["Content"].decode())))
    if ids:
        for r in rows:
            active = [n for n in (1, 2) if r["access_key_%d_active" % n] == "true"]
            never = [n for n in active if r["access_key_%d_last_used_date" % n] == "N/A"]
            if r["user"] != "<root_account>" and (never or len(active) == 2):
                iam.list_access_keys(UserName=r["user"])
    return time.perf_counter() - t, len(rows)


def boto_org(url, admin, ids=True):
    """Each account in turn: assume the role, credential report (and, with
    `ids`, the ListAccessKeys calls keyturn makes)."""
    t = time.perf_counter()
    org = client("organizations", url, admin["id"], admin["secret"])
    sts = client("sts", url, admin["id"], admin["secret"])
    users = 0
    for page in org.get_paginator("list_accounts").paginate():
        for a in page["Accounts"]:
            if a["Id"] == "123456789012":
                iam = client("iam", url, admin["id"], admin["secret"])
            else:
                c = sts.assume_role(RoleArn="arn:aws:iam::%s:role/%s" % (a["Id"], ROLE),
                                    RoleSessionName="bench")["Credentials"]
                iam = client("iam", url, c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
            users += boto_report(iam, ids)[1]
    return time.perf_counter() - t, users


def med(xs):
    return statistics.median(xs)


def line(label, xs, extra=""):
    print("  %-50s median %7.3f s  (min %.3f, max %.3f)%s" % (label, med(xs), min(xs), max(xs), extra))


def measure(home, url, admin, runs, keys, heading):
    """Times keyturn and the boto3 loops against `url` (moto, or the fault
    proxy in front of it), for the 1,000-user account then the
    organization."""
    admin_iam = client("iam", url, admin["id"], admin["secret"])
    sts = client("sts", url, admin["id"], admin["secret"])
    sts.get_caller_identity()
    t = time.perf_counter()
    for _ in range(20):
        sts.get_caller_identity()
    rtt = (time.perf_counter() - t) / 20 * 1000
    report, listing, listing16, b_list, b_rep, b_rep_only = [], [], [], [], [], []
    for _ in range(runs):
        e, v = keyturn(home, url)
        assert v["accounts"][0]["source"] == "credential_report", v["accounts"]
        assert v["accounts"][0]["users"] == USERS + 1, v["accounts"][0]
        report.append(e)
        n_findings = v["summary"]["findings"]
        e, v2 = keyturn(home, url, "--no-report")
        assert v2["accounts"][0]["source"] == "listing"
        assert v2["summary"]["findings"] == n_findings, (v2["summary"], v["summary"])
        listing.append(e)
        e, _ = keyturn(home, url, "--no-report", "--concurrency", "16")
        listing16.append(e)
        b_list.append(boto_listing(admin_iam)[0])
        b_rep.append(boto_report(admin_iam)[0])
        b_rep_only.append(boto_report(admin_iam, ids=False)[0])
    print("\n%s (one sequential request: %.1f ms)" % (heading, rtt))
    print("one account, %d users, %d keys, %d findings (median of %d runs):"
          % (USERS + 1, keys + 1, n_findings, runs))
    line("keyturn audit (credential report)", report)
    line("keyturn audit --no-report (listing, 8 in flight)", listing)
    line("keyturn audit --no-report --concurrency 16", listing16)
    line("boto3 loop: ListUsers/ListAccessKeys/LastUsed", b_list)
    line("boto3 loop: report + ListAccessKeys (same work)", b_rep)
    line("boto3: the credential report alone", b_rep_only)
    print("  boto3 listing loop / keyturn (report)           = %.1fx" % (med(b_list) / med(report)))
    print("  boto3 listing loop / keyturn (listing)          = %.1fx" % (med(b_list) / med(listing)))
    print("  boto3 same-work loop / keyturn (report)         = %.1fx" % (med(b_rep) / med(report)))

    org1, org4, org8, b_org, b_org_only = [], [], [], [], []
    for _ in range(runs):
        for n, out in ((1, org1), (4, org4), (8, org8)):
            e, v = keyturn(home, url, "--org-role", ROLE, "--account-concurrency", str(n))
            audited = [a for a in v["accounts"] if a["status"] == "audited"]
            assert len(audited) == ACCOUNTS + 1, v["accounts"]
            out.append(e)
        b_org.append(boto_org(url, admin)[0])
        b_org_only.append(boto_org(url, admin, ids=False)[0])
    total = USERS + 1 + ACCOUNTS * MEMBER_USERS
    print("organization via --org-role: %d accounts (management with %d users + %d x %d), "
          "%d users (median of %d runs):" % (ACCOUNTS + 1, USERS + 1, ACCOUNTS, MEMBER_USERS, total, runs))
    line("keyturn audit --org-role, 1 account at once", org1)
    line("keyturn audit --org-role, 4 at once (default)", org4)
    line("keyturn audit --org-role, 8 at once", org8)
    line("boto3 loop, account by account (same work)", b_org)
    line("boto3 loop, account by account, report alone", b_org_only)
    print("  boto3 same-work loop / keyturn (4 at once)      = %.1fx" % (med(b_org) / med(org4)))


def start_proxy(upstream, tmp):
    """The tests' fault proxy in front of moto, delaying every request by
    LATENCY_MS: moto answers in about a millisecond, AWS does not."""
    port_file = os.path.join(tmp, "proxy.port")
    p = subprocess.Popen([PY, os.path.join(ROOT, "tests", "support", "faultproxy.py"),
                          "--upstream", upstream, "--port-file", port_file,
                          "--parent-pid", str(os.getpid())],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        if os.path.exists(port_file) and open(port_file).read().strip():
            break
        time.sleep(0.05)
    port = int(open(port_file).read().strip())
    url = "http://127.0.0.1:%d" % port
    req = urllib.request.Request(url + "/__proxy/rules", method="POST",
                                 data=json.dumps([{"action": "*", "fault": "delay",
                                                   "ms": LATENCY_MS}]).encode(),
                                 headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=30).read()
    return p, url


def main():
    url = loopback(sys.argv[1])
    admin = awsctl("admin", "--endpoint", url)
    with tempfile.TemporaryDirectory() as home:
        os.makedirs(os.path.join(home, ".aws"))
        path = os.path.join(home, ".aws", "credentials")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write("[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
                    % (admin["id"], admin["secret"]))

        # Setup runs unauthenticated (moto's reset-auth window): it is not
        # what is measured, and moto checks auth in O(users) per request.
        t = time.perf_counter()
        reset_auth(url, 10 ** 9)
        keys = populate(client("iam", url, admin["id"], admin["secret"]), USERS, "user", url)
        print("setup: %d users, %d keys in one account (%.1f s)"
              % (USERS, keys, time.perf_counter() - t))
        reset_auth(url, 0)
        t = time.perf_counter()
        spec = {"accounts": [{"name": "member%02d" % i, "grant": True} for i in range(ACCOUNTS)]}
        org = awsctl("org", "--endpoint", url, "--admin-id", admin["id"], "--admin-secret",
                     admin["secret"], "--spec", json.dumps(spec))
        reset_auth(url, 10 ** 9)
        member_keys = 0
        for a in org["accounts"]:
            iam = client("iam", url, "AKIAIOSFODNN7EXAMPLE", "x" * 40, account=a["id"])
            member_keys += populate(iam, MEMBER_USERS, "m", url)
        reset_auth(url, 0)
        print("setup: organization of %d member accounts x %d users (%d keys) (%.1f s)"
              % (ACCOUNTS, MEMBER_USERS, member_keys, time.perf_counter() - t))

        measure(home, url, admin, RUNS, keys, "straight to moto")
        if LATENCY_MS > 0:
            proxy, proxied = start_proxy(url, home)
            try:
                measure(home, proxied, admin, RUNS_LATENCY, keys,
                        "through the fault proxy, a %d ms delay on every request" % LATENCY_MS)
            finally:
                proxy.kill()
                proxy.wait()


if __name__ == "__main__":
    main()
