#!/usr/bin/env python3
"""Test-side readers and writers of keyturn's destinations (issue 19), each
the ecosystem's own client: boto3 for Secrets Manager and SSM Parameter
Store on the local moto server (never real AWS: loopback endpoints only),
python-dotenv for `.env` files. Prints JSON on stdout."""

import argparse
import json
import sys
import urllib.parse

import boto3


def client(a, service):
    host = urllib.parse.urlparse(a.endpoint).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        sys.exit(f"refusing non-loopback endpoint {a.endpoint}")
    return boto3.client(service, endpoint_url=a.endpoint, region_name=a.region,
                        aws_access_key_id=a.admin_id, aws_secret_access_key=a.admin_secret)


def cmd_sm_create(a):
    sm = client(a, "secretsmanager")
    kw = {"Name": a.name}
    if a.value is not None:
        kw["SecretString"] = a.value
    out = sm.create_secret(**kw)
    print(json.dumps({"arn": out["ARN"]}))


def cmd_sm_get(a):
    sm = client(a, "secretsmanager")
    value = sm.get_secret_value(SecretId=a.name)["SecretString"]
    versions = sm.list_secret_version_ids(SecretId=a.name)["Versions"]
    print(json.dumps({"value": value, "versions": len(versions)}))


def cmd_ssm_put(a):
    ssm = client(a, "ssm")
    kw = {"Name": a.name, "Value": a.value, "Type": "SecureString", "Overwrite": True}
    if a.key_id:
        kw["KeyId"] = a.key_id
    ssm.put_parameter(**kw)
    print("{}")


def cmd_ssm_get(a):
    ssm = client(a, "ssm")
    p = ssm.get_parameter(Name=a.name, WithDecryption=True)["Parameter"]
    desc = ssm.describe_parameters(
        ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": [a.name]}])["Parameters"]
    print(json.dumps({"value": p["Value"], "type": p["Type"], "version": p["Version"],
                      "key_id": desc[0].get("KeyId") if desc else None}))


def cmd_role(a):
    """A role for a destination's profile (role_arn + source_profile): a user `NAME-source`
    allowed only sts:AssumeRole, with one access key, and the role `NAME`, trusting that user's
    exact ARN (moto refuses an account-root principal) and allowed Secrets Manager and SSM."""
    iam = client(a, "iam")
    user = iam.create_user(UserName=a.name + "-source")["User"]
    role_arn = "arn:aws:iam::%s:role/%s" % (user["Arn"].split(":")[4], a.name)
    iam.put_user_policy(UserName=user["UserName"], PolicyName="assume", PolicyDocument=json.dumps(
        {"Version": "2012-10-17",
         "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role_arn}]}))
    key = iam.create_access_key(UserName=user["UserName"])["AccessKey"]
    iam.create_role(RoleName=a.name, AssumeRolePolicyDocument=json.dumps(
        {"Version": "2012-10-17",
         "Statement": [{"Effect": "Allow", "Principal": {"AWS": user["Arn"]},
                        "Action": "sts:AssumeRole"}]}))
    iam.put_role_policy(RoleName=a.name, PolicyName="secrets", PolicyDocument=json.dumps(
        {"Version": "2012-10-17",
         "Statement": [{"Effect": "Allow", "Action": ["secretsmanager:*", "ssm:*"],
                        "Resource": "*"}]}))
    print(json.dumps({"source_id": key["AccessKeyId"], "source_secret": key["SecretAccessKey"],
                      "role_arn": role_arn}))


def cmd_last_used(a):
    """GetAccessKeyLastUsed of key --name: the service and region it last signed for."""
    out = client(a, "iam").get_access_key_last_used(AccessKeyId=a.name)["AccessKeyLastUsed"]
    print(json.dumps({"service": out.get("ServiceName"), "region": out.get("Region")}))


def cmd_dotenv(a):
    from dotenv import dotenv_values
    print(json.dumps(dotenv_values(a.path)))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(required=True)
    for name, f, extra in (("sm-create", cmd_sm_create, ["--value"]),
                           ("sm-get", cmd_sm_get, []),
                           ("ssm-put", cmd_ssm_put, ["--value", "--key-id"]),
                           ("ssm-get", cmd_ssm_get, []),
                           ("role", cmd_role, []),
                           ("last-used", cmd_last_used, [])):
        p = sub.add_parser(name)
        for arg in ("--endpoint", "--admin-id", "--admin-secret", "--name"):
            p.add_argument(arg, required=True)
        p.add_argument("--region", default="us-east-1")
        for arg in extra:
            p.add_argument(arg)
        p.set_defaults(f=f)
    p = sub.add_parser("dotenv")
    p.add_argument("--path", required=True)
    p.set_defaults(f=cmd_dotenv)
    a = ap.parse_args()
    a.f(a)


if __name__ == "__main__":
    main()
