#!/usr/bin/env python3
"""Test-side AWS client for keyturn's end-to-end tests: a real boto3/botocore
client against a local moto server (never real AWS: the endpoint must be a
loopback address). Prints JSON on stdout. Secrets appear only in `setup`
output, which the Rust harness keeps in memory (moto test keys)."""

import argparse
import hashlib
import json
import sys
import urllib.parse
import urllib.request

import boto3
import botocore.exceptions
import botocore.session

POLICY = json.dumps({"Version": "2012-10-17",
                     "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


def loopback_only(url):
    host = urllib.parse.urlparse(url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        sys.exit(f"refusing non-loopback endpoint {url}")
    return url


def client(service, endpoint, key_id, secret, token=None):
    return boto3.client(service, endpoint_url=loopback_only(endpoint), region_name="us-east-1",
                        aws_access_key_id=key_id, aws_secret_access_key=secret,
                        aws_session_token=token)


def reset_auth(endpoint, n):
    req = urllib.request.Request(loopback_only(endpoint) + "/moto-api/reset-auth",
                                 data=str(n).encode(), headers={"Content-Type": "text/plain"},
                                 method="POST")
    urllib.request.urlopen(req, timeout=30).read()


def cmd_admin(a):
    # Three unauthenticated requests make an admin; everything else is signed.
    reset_auth(a.endpoint, 3)
    iam = client("iam", a.endpoint, "AKIAIOSFODNN7EXAMPLE", "x" * 40)
    iam.create_user(UserName="keyturn-admin")
    iam.put_user_policy(UserName="keyturn-admin", PolicyName="all", PolicyDocument=POLICY)
    k = iam.create_access_key(UserName="keyturn-admin")["AccessKey"]
    print(json.dumps({"id": k["AccessKeyId"], "secret": k["SecretAccessKey"]}))


def admin_iam(a):
    return client("iam", a.endpoint, a.admin_id, a.admin_secret)


def cmd_user(a):
    iam = admin_iam(a)
    iam.create_user(UserName=a.name, Path=a.path)
    iam.put_user_policy(UserName=a.name, PolicyName="all", PolicyDocument=POLICY)
    keys = []
    for _ in range(a.keys):
        k = iam.create_access_key(UserName=a.name)["AccessKey"]
        keys.append({"id": k["AccessKeyId"], "secret": k["SecretAccessKey"]})
    print(json.dumps(keys))


def cmd_role(a):
    """A role the admin user may assume (moto wants its exact ARN as the
    principal), allowed everything; prints its ARN."""
    iam = admin_iam(a)
    me = client("sts", a.endpoint, a.admin_id, a.admin_secret).get_caller_identity()["Arn"]
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": me}, "Action": "sts:AssumeRole"}]})
    arn = iam.create_role(RoleName=a.name, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    iam.put_role_policy(RoleName=a.name, PolicyName="all", PolicyDocument=POLICY)
    print(json.dumps({"arn": arn}))


FAR_ACCOUNT = "111111111111"


def far_session(a, session):
    sts = client("sts", a.endpoint, a.admin_id, a.admin_secret)
    c = sts.assume_role(RoleArn="arn:aws:iam::%s:role/%s" % (FAR_ACCOUNT, a.role),
                        RoleSessionName=session)["Credentials"]
    return lambda service: client(service, a.endpoint, c["AccessKeyId"], c["SecretAccessKey"],
                                  c["SessionToken"])


def cmd_far_setup(a):
    """A second account (moto: 111111111111): the role `--role` trusting the admin user, and
    user `--name` with one key held in a secret and two parameters there. moto derives a
    request's account from its key, and a role must exist before its credentials work: the
    role's credentials are minted first (AssumeRole of a role moto does not have yet
    succeeds), then used during a short unauthenticated window to create everything in that
    account, then authentication is on again."""
    me = client("sts", a.endpoint, a.admin_id, a.admin_secret).get_caller_identity()["Arn"]
    far = far_session(a, "setup")
    reset_auth(a.endpoint, 20)
    try:
        iam = far("iam")
        trust = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": me}, "Action": "sts:AssumeRole"}]})
        arn = iam.create_role(RoleName=a.role, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
        iam.put_role_policy(RoleName=a.role, PolicyName="all", PolicyDocument=POLICY)
        iam.create_user(UserName=a.name)
        iam.put_user_policy(UserName=a.name, PolicyName="all", PolicyDocument=POLICY)
        k = iam.create_access_key(UserName=a.name)["AccessKey"]
        kid, sec = k["AccessKeyId"], k["SecretAccessKey"]
        far("secretsmanager").create_secret(Name=a.name + "/aws", SecretString=json.dumps(
            {"other": 1, "AWS_ACCESS_KEY_ID": kid, "AWS_SECRET_ACCESS_KEY": sec}))
        ssm = far("ssm")
        ssm.put_parameter(Name="/%s/id" % a.name, Value=kid, Type="SecureString")
        ssm.put_parameter(Name="/%s/secret" % a.name, Value=sec, Type="SecureString")
    finally:
        reset_auth(a.endpoint, 0)
    print(json.dumps({"role_arn": arn, "id": kid, "secret": sec}))


def cmd_far_read(a):
    """What the second account holds for user `--name`, read through the role."""
    far = far_session(a, "read")
    keys = far("iam").list_access_keys(UserName=a.name)["AccessKeyMetadata"]
    sm = json.loads(far("secretsmanager").get_secret_value(SecretId=a.name + "/aws")["SecretString"])
    ssm = far("ssm")
    pid = ssm.get_parameter(Name="/%s/id" % a.name, WithDecryption=True)["Parameter"]["Value"]
    psec = ssm.get_parameter(Name="/%s/secret" % a.name, WithDecryption=True)["Parameter"]["Value"]
    print(json.dumps({"keys": [{"id": k["AccessKeyId"], "status": k["Status"]} for k in keys],
                      "secret": sm, "id_parameter": pid, "secret_parameter": psec}))


def cmd_keys(a):
    iam = admin_iam(a)
    out = iam.list_access_keys(UserName=a.name)["AccessKeyMetadata"]
    print(json.dumps([{"id": k["AccessKeyId"], "status": k["Status"]} for k in out]))


def cmd_set_status(a):
    admin_iam(a).update_access_key(UserName=a.name, AccessKeyId=a.key, Status=a.status)
    print("{}")


def cmd_add_key(a):
    """One more access key for an existing user (as made by hand in the console)."""
    k = admin_iam(a).create_access_key(UserName=a.name)["AccessKey"]
    print(json.dumps({"id": k["AccessKeyId"], "secret": k["SecretAccessKey"]}))


def cmd_delete_key(a):
    admin_iam(a).delete_access_key(UserName=a.name, AccessKeyId=a.key)
    print("{}")


def cmd_whoami(a):
    """Does this pair sign requests? Checks STS and an IAM read."""
    try:
        arn = client("sts", a.endpoint, a.id, a.secret).get_caller_identity()["Arn"]
        client("iam", a.endpoint, a.id, a.secret).list_access_keys()
        print(json.dumps({"ok": True, "arn": arn}))
    except botocore.exceptions.ClientError as e:
        print(json.dumps({"ok": False, "code": e.response["Error"].get("Code")}))


def cmd_use(a):
    """A straggler: one request signed with this pair, from --region (STS
    GetCallerIdentity), which IAM records as the key's last use."""
    boto3.client("sts", endpoint_url=loopback_only(a.endpoint), region_name=a.region,
                 aws_access_key_id=a.id, aws_secret_access_key=a.secret).get_caller_identity()
    print("{}")


def cmd_last_used(a):
    """GetAccessKeyLastUsed of --key, read as the admin: the date in Unix
    seconds (null if never), the service and the region."""
    u = admin_iam(a).get_access_key_last_used(AccessKeyId=a.key)["AccessKeyLastUsed"]
    d = u.get("LastUsedDate")
    print(json.dumps({"date": int(d.timestamp()) if d else None,
                      "service": u.get("ServiceName"), "region": u.get("Region")}))


def digest(s):
    return hashlib.sha256(s.encode()).hexdigest()[:16] if s is not None else None


def cmd_profiles(a):
    """What botocore (the AWS CLI) reads from the files: every profile's
    resolved credentials (secret as a digest), or the error it raises."""
    s = botocore.session.Session()
    s.set_config_variable("credentials_file", a.credentials_file)
    s.set_config_variable("config_file", a.config_file)
    out = {}
    try:
        names = s.available_profiles
    except Exception as e:  # noqa: BLE001 - the test compares error kinds
        print(json.dumps({"error": type(e).__name__}))
        return
    for name in sorted(names):
        ps = botocore.session.Session(profile=name)
        ps.set_config_variable("credentials_file", a.credentials_file)
        ps.set_config_variable("config_file", a.config_file)
        try:
            cfg = ps.get_scoped_config()
            c = ps.get_credentials()
            if c is None:
                out[name] = {"creds": None, "region": cfg.get("region")}
            else:
                fc = c.get_frozen_credentials()
                out[name] = {"creds": [fc.access_key, digest(fc.secret_key), fc.token is not None],
                             "method": c.method, "region": cfg.get("region")}
        except Exception as e:  # noqa: BLE001
            out[name] = {"error": type(e).__name__}
    print(json.dumps(out, sort_keys=True))


# --- keyturn audit: organizations, member accounts, denied reports --------

def member_client(endpoint, service, account):
    """A client whose requests moto routes to `account` (x-moto-account-id).
    Only usable inside an unauthenticated window (see cmd_org): moto has no
    cross-account administrator to sign them with."""
    c = client(service, endpoint, "AKIAIOSFODNN7EXAMPLE", "x" * 40)
    c.meta.events.register("before-sign.*.*",
                           lambda request, **kw: request.headers.__setitem__("x-moto-account-id", account))
    return c


def make_users(iam, users):
    """Creates users (allowed everything) with keys; `inactive` deactivates
    the first N keys, `use` signs one request with each active key."""
    out = {}
    for u in users:
        iam.create_user(UserName=u["name"])
        iam.put_user_policy(UserName=u["name"], PolicyName="all", PolicyDocument=POLICY)
        keys = []
        for i in range(u.get("keys", 1)):
            k = iam.create_access_key(UserName=u["name"])["AccessKey"]
            keys.append({"id": k["AccessKeyId"], "secret": k["SecretAccessKey"]})
            if i < u.get("inactive", 0):
                iam.update_access_key(UserName=u["name"], AccessKeyId=k["AccessKeyId"], Status="Inactive")
        out[u["name"]] = keys
    return out


def cmd_org(a):
    """Creates an organization in the admin's account and its member
    accounts from a JSON spec:
    {"accounts": [{"name": "m1", "grant": true, "users": [{"name": "u", "keys": 2, "inactive": 1}]}]}
    `grant` lets OrganizationAccountAccessRole (which moto creates bare)
    do everything, as AWS's own does. Prints {"accounts": [{name, id}], "keys": {"m1/u": [...]}}."""
    spec = json.loads(a.spec)
    org = client("organizations", a.endpoint, a.admin_id, a.admin_secret)
    org.create_organization(FeatureSet="ALL")
    created = []
    for acc in spec["accounts"]:
        st = org.create_account(AccountName=acc["name"], Email=acc["name"] + "@example.com")
        created.append((acc, st["CreateAccountStatus"]["AccountId"]))
    out = {"accounts": [], "keys": {}}
    # Member-account setup runs unauthenticated, each request routed by
    # header; authentication is enforced again right after.
    reset_auth(a.endpoint, 1_000_000)
    try:
        for acc, account_id in created:
            iam = member_client(a.endpoint, "iam", account_id)
            if acc.get("grant"):
                iam.put_role_policy(RoleName="OrganizationAccountAccessRole", PolicyName="all",
                                    PolicyDocument=POLICY)
            for user, keys in make_users(iam, acc.get("users", [])).items():
                out["keys"][acc["name"] + "/" + user] = keys
            out["accounts"].append({"name": acc["name"], "id": account_id})
    finally:
        reset_auth(a.endpoint, 0)
    print(json.dumps(out))


def cmd_deny(a):
    """Adds an explicit Deny of `--actions` (comma-separated) to a user."""
    doc = json.dumps({"Version": "2012-10-17",
                      "Statement": [{"Effect": "Deny", "Action": a.actions.split(","), "Resource": "*"}]})
    admin_iam(a).put_user_policy(UserName=a.name, PolicyName="deny", PolicyDocument=doc)
    print("{}")


def add_audit_parsers(sub):
    p = sub.add_parser("org")
    p.add_argument("--endpoint", required=True)
    p.add_argument("--admin-id", required=True)
    p.add_argument("--admin-secret", required=True)
    p.add_argument("--spec", required=True)
    p.set_defaults(f=cmd_org)
    p = sub.add_parser("deny")
    p.add_argument("--endpoint", required=True)
    p.add_argument("--admin-id", required=True)
    p.add_argument("--admin-secret", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--actions", required=True)
    p.set_defaults(f=cmd_deny)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("admin"); p.add_argument("--endpoint", required=True); p.set_defaults(f=cmd_admin)
    for name, f in (("user", cmd_user), ("keys", cmd_keys), ("set-status", cmd_set_status),
                    ("add-key", cmd_add_key), ("delete-key", cmd_delete_key),
                    ("last-used", cmd_last_used), ("role", cmd_role)):
        p = sub.add_parser(name)
        p.add_argument("--endpoint", required=True)
        p.add_argument("--admin-id", required=True)
        p.add_argument("--admin-secret", required=True)
        p.add_argument("--name", required=True)
        p.add_argument("--path", default="/")
        p.add_argument("--keys", type=int, default=1)
        p.add_argument("--key")
        p.add_argument("--status")
        p.set_defaults(f=f)
    for name, f in (("far-setup", cmd_far_setup), ("far-read", cmd_far_read)):
        p = sub.add_parser(name)
        for arg in ("--endpoint", "--admin-id", "--admin-secret", "--name", "--role"):
            p.add_argument(arg, required=True)
        p.set_defaults(f=f)
    p = sub.add_parser("whoami")
    p.add_argument("--endpoint", required=True); p.add_argument("--id", required=True)
    p.add_argument("--secret", required=True); p.set_defaults(f=cmd_whoami)
    p = sub.add_parser("use")
    p.add_argument("--endpoint", required=True); p.add_argument("--id", required=True)
    p.add_argument("--secret", required=True); p.add_argument("--region", required=True)
    p.set_defaults(f=cmd_use)
    p = sub.add_parser("profiles")
    p.add_argument("--credentials-file", required=True); p.add_argument("--config-file", required=True)
    p.set_defaults(f=cmd_profiles)
    add_audit_parsers(sub)
    a = ap.parse_args()
    a.f(a)


if __name__ == "__main__":
    main()
