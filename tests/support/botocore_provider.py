#!/usr/bin/env python3
"""Differential oracle for keyturn's profile resolution: which provider of
botocore's credential chain (the AWS CLI's) serves each profile.

Reads JSON from stdin: [{"credentials": PATH, "config": PATH,
"profiles": [NAME, ...]}, ...] and prints, per case, {NAME: {"method": M,
"access_key": ID, "token": BOOL}} or {NAME: {"error": ExceptionName}}
(method null when no provider serves the profile).

Nothing leaves the machine: the environment, container and instance
metadata providers are removed, role, SSO and web identity credentials are
deferred (botocore fetches them on first use, which never comes), and
credential_process is not run (a stub answers in its place)."""

import json
import sys

import botocore.credentials
import botocore.session


def _no_process(self, command):
    return {
        "access_key": "ASIAPROCESS",
        "secret_key": "process",
        "token": None,
        "expiry_time": None,
    }


botocore.credentials.ProcessProvider._retrieve_credentials_using = _no_process


def resolve(credentials, config, profile):
    session = botocore.session.Session()
    session.set_config_variable("credentials_file", credentials)
    session.set_config_variable("config_file", config)
    session.set_config_variable("profile", profile)
    resolver = session.get_component("credential_provider")
    for name in ("env", "container-role", "iam-role"):
        resolver.remove(name)
    creds = resolver.load_credentials()
    if creds is None:
        return {"method": None}
    out = {"method": creds.method}
    if creds.method in ("shared-credentials-file", "config-file"):
        out["access_key"] = creds.access_key
        out["token"] = creds.token is not None
    return out


def main():
    cases = json.load(sys.stdin)
    out = []
    for case in cases:
        answers = {}
        for profile in case["profiles"]:
            try:
                answers[profile] = resolve(case["credentials"], case["config"], profile)
            except Exception as e:  # every botocore refusal, by its name
                answers[profile] = {"error": type(e).__name__}
        out.append(answers)
    json.dump(out, sys.stdout, sort_keys=True)


if __name__ == "__main__":
    main()
