#!/usr/bin/env python3
"""A loopback GitLab CI/CD variables API (REST v4) for keyturn's tests.

No GitLab emulator is packaged on npm or PyPI, so this follows GitLab's documented
project-level and group-level variables API (doc/api/project_level_variables.md,
group_level_variables.md):
  GET    /api/v4/projects/:id                       the project (preflight)
  GET    /api/v4/projects/:id/variables/:key        ?filter[environment_scope]=S
  POST   /api/v4/projects/:id/variables             key, value, variable_type, protected,
                                                    masked, raw, environment_scope, description
  PUT    /api/v4/projects/:id/variables/:key        the same fields, filter[environment_scope]
  and the same under /api/v4/groups/:id (GET /api/v4/groups/:id for the group).
:id is the number or the URL-encoded full path. Bodies are JSON or form-encoded, as GitLab takes
both. Authentication: PRIVATE-TOKEN or Authorization: Bearer; a token is "maintainer" (may read
and write variables), "developer" (sees the project, gets 403 on variables) or unknown (401).
Semantics kept: several variables with one key in different scopes make an unfiltered GET/PUT
answer 409; a masked value must be at least 8 characters of the base64 alphabet plus @:.~
(else 400); POST of a key already in that scope is 400; PUT changes only the fields sent.

Seed (POST /_bed/seed): {"tokens": {"T": "maintainer"}, "projects": {"grp/proj": 42},
  "groups": {"grp": 7}, "variables": [{"owner": "project:42"|"group:7", "key": "K",
  "value": "v", "environment_scope": "*", "masked": false, "protected": false, "raw": false,
  "variable_type": "env_var", "description": null}]}
State (GET /_bed/state): {"variables": [... each with "owner", "writes", "t_write"]}. A body
attribute or query parameter the API does not document, or a body neither JSON nor form-encoded,
is recorded in "violations".
"""

import json
import os
import re
import sys
import time
from urllib.parse import parse_qsl, unquote

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import httpbed  # noqa: E402

FIELDS = ("value", "variable_type", "protected", "masked", "raw", "environment_scope",
          "description")
# The attributes the documented endpoints take (anything else is recorded as a violation).
DOCUMENTED = set(FIELDS) | {"key", "masked_and_hidden", "filter", "filter[environment_scope]"}
MASKABLE = re.compile(r"^[A-Za-z0-9+/=@:.~]{8,}$")


def as_bool(v):
    if isinstance(v, bool):
        return v
    return str(v).lower() in ("true", "1")


class GitLab(httpbed.Bed):
    def __init__(self):
        super().__init__()
        self.tokens = {}
        self.projects = {}
        self.groups = {}
        self.variables = []

    def seed(self, body):
        self.tokens.update(body.get("tokens", {}))
        self.projects.update(body.get("projects", {}))
        self.groups.update(body.get("groups", {}))
        for v in body.get("variables", []):
            var = {"variable_type": "env_var", "protected": False, "masked": False,
                   "hidden": False, "raw": False, "environment_scope": "*", "description": None,
                   "writes": 0, "t_write": None}
            var.update(v)
            self.variables.append(var)

    def state(self):
        return {"variables": [dict(v) for v in self.variables]}

    def owner(self, kind, ident):
        ident = unquote(ident)
        table = self.projects if kind == "projects" else self.groups
        for path, num in table.items():
            if ident in (path, str(num)):
                return "%s:%d" % (kind[:-1], num), path, num
        return None

    @staticmethod
    def public(v):
        return {k: v[k] for k in ("variable_type", "key", "value", "protected", "masked",
                                  "hidden", "raw", "environment_scope", "description")}

    def find(self, owner, key, scope):
        return [v for v in self.variables if v["owner"] == owner and v["key"] == key
                and (scope is None or v["environment_scope"] == scope)]

    def handle(self, method, path, query, headers, raw):
        token = headers.get("PRIVATE-TOKEN")
        if token is None:
            m = re.match(r"^Bearer (\S+)$", headers.get("Authorization") or "")
            token = m.group(1) if m else None
        role = self.tokens.get(token)
        if role is None:
            return 401, {"message": "401 Unauthorized"}, {}
        m = re.match(r"^/api/v4/(projects|groups)/([^/]+)(/variables(?:/([^/]+))?)?$", path)
        if not m:
            return 404, {"error": "404 Not Found"}, {}
        kind, ident, var_part, key = m.groups()
        found = self.owner(kind, ident)
        if found is None:
            return 404, {"message": "404 %s Not Found" % ("Project" if kind == "projects" else "Group")}, {}
        owner, full_path, num = found
        if var_part is None:
            if method != "GET":
                return 405, {"message": "405 Method Not Allowed"}, {}
            return 200, {"id": num, "path_with_namespace" if kind == "projects" else "full_path": full_path,
                         "name": full_path.split("/")[-1]}, {}
        if role != "maintainer":
            return 403, {"message": "403 Forbidden"}, {}
        q = dict(parse_qsl(query))
        ctype = (headers.get("Content-Type") or "").split(";")[0].strip()
        if raw and ctype == "application/json":
            body = json.loads(raw)
        elif raw and ctype == "application/x-www-form-urlencoded":
            body = dict(parse_qsl(raw.decode()))
        elif raw:
            self.violation("%s %s: body of content type %r" % (method, path, ctype))
            body = {}
        else:
            body = {}
        for k in sorted(set(body) - DOCUMENTED):
            self.violation("%s %s: undocumented attribute %s" % (method, path, k))
        for k in sorted(set(q) - {"filter[environment_scope]", "page", "per_page"}):
            self.violation("%s %s: undocumented query parameter %s" % (method, path, k))
        if method == "GET" and not key and raw:
            self.violation("GET with a body")
        flat_filter = body.pop("filter[environment_scope]", None)
        nested = body.pop("filter", None)
        scope_filter = q.get("filter[environment_scope]") or flat_filter or (
            nested.get("environment_scope") if isinstance(nested, dict) else None)
        if method == "GET" and key:
            return self.one(owner, unquote(key), scope_filter, lambda v: (200, self.public(v), {}))
        if method == "PUT" and key:
            return self.one(owner, unquote(key), scope_filter, lambda v: self.update(v, body))
        if method == "POST" and key is None:
            return self.create(owner, body)
        return 405, {"message": "405 Method Not Allowed"}, {}

    def one(self, owner, key, scope, then):
        matches = self.find(owner, key, scope)
        if not matches:
            return 404, {"message": "404 Variable Not Found"}, {}
        if len(matches) > 1:
            return 409, {"message": "There are multiple variables with provided parameters. "
                                    "Please use 'filter[environment_scope]'"}, {}
        return then(matches[0])

    def invalid(self, var):
        if var["masked"] and not MASKABLE.match(str(var["value"])):
            return 400, {"message": {"value": ["is invalid"]}}, {}
        if var["variable_type"] not in ("env_var", "file"):
            return 400, {"message": {"variable_type": ["is invalid"]}}, {}
        return None

    def update(self, var, body):
        new = dict(var)
        for f in FIELDS:
            if f in body:
                new[f] = as_bool(body[f]) if f in ("protected", "masked", "raw") else body[f]
        bad = self.invalid(new)
        if bad:
            return bad
        var.update(new)
        var["writes"] += 1
        var["t_write"] = time.monotonic()
        return 200, self.public(var), {}

    def create(self, owner, body):
        if not re.match(r"^[A-Za-z0-9_]{1,255}$", str(body.get("key", ""))) or "value" not in body:
            return 400, {"message": {"key": ["is invalid"]}}, {}
        var = {"owner": owner, "key": body["key"], "variable_type": "env_var", "protected": False,
               "masked": False, "hidden": False, "raw": False, "environment_scope": "*",
               "description": None, "writes": 1, "t_write": time.monotonic()}
        for f in FIELDS:
            if f in body:
                var[f] = as_bool(body[f]) if f in ("protected", "masked", "raw") else body[f]
        if self.find(owner, var["key"], var["environment_scope"]):
            return 400, {"message": {"key": ["(%s) has already been taken" % var["key"]]}}, {}
        bad = self.invalid(var)
        if bad:
            return bad
        self.variables.append(var)
        return 201, self.public(var), {}


if __name__ == "__main__":
    httpbed.serve(GitLab(), __doc__.splitlines()[0])
