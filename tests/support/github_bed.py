#!/usr/bin/env python3
"""A loopback GitHub Actions secrets API for keyturn's tests, checked against GitHub's own
published OpenAPI description (npm @octokit/openapi, generated/api.github.com.json).

Every request keyturn sends is matched to an operation of the description (path template,
method), its path and query parameters and its JSON body are validated against the
description's schemas (openapi-schema-validator, OpenAPI 3.0 rules, $refs resolved in the
description), and every answer the bed gives is validated too. Anything that does not match is
answered 400 and recorded in "violations" (tests assert none). On top of the description, the
bed requires what GitHub's REST docs require: `X-GitHub-Api-Version: 2022-11-28` and
`Authorization: Bearer <token>`.

The bed owns a real X25519 key pair per scope (repository, environment, organization) and opens
every sealed value with PyNaCl's SealedBox (libsodium), so /_bed/state shows the plaintext
keyturn sent. Timestamps have GitHub's one-second resolution.

Seed (POST /_bed/seed):
  {"tokens": {"TOKEN": "write"|"read"|"none"},
   "repos": {"owner/repo": {"id": 1, "environments": ["prod"]}},
   "orgs": ["acme"],
   "secrets": [{"scope": "repo:o/r" | "env:o/r:prod" | "org:acme", "name": "N", "value": "v",
                "visibility": "all"|"private"|"selected", "selected_repository_ids": [1]}]}
State (GET /_bed/state): {"secrets": [{scope, name, value, key_id, created_at, updated_at,
  visibility, selected_repository_ids, writes, t_write}], ...} (t_write: time.monotonic() of
  the last write, the clock the fault proxy's log uses).
"""

import base64
import copy
import json
import os
import re
import sys
import time

import nacl.public
from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import httpbed  # noqa: E402

SPEC_PATH = os.path.join(
    os.path.dirname(os.path.abspath(__file__)),
    "node_modules", "@octokit", "openapi", "generated", "api.github.com.json",
)
URN = "urn:github-openapi"
API_VERSION = "2022-11-28"


def ptr(*parts):
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


class Spec:
    def __init__(self, path):
        with open(path) as f:
            self.doc = json.load(f)
        self.registry = Registry().with_resource(
            URN, Resource.from_contents(self.doc, default_specification=DRAFT4)
        )
        self.routes = []
        for template in self.doc["paths"]:
            names = re.findall(r"{([^}]+)}", template)
            rx = "^" + re.sub(r"\\{[^}]+\\}", "([^/]+)", re.escape(template)) + "$"
            self.routes.append((len(names), re.compile(rx), template, names))
        # Literal paths first: .../secrets/public-key before .../secrets/{secret_name}.
        self.routes.sort(key=lambda r: r[0])

    def deref(self, obj):
        while isinstance(obj, dict) and "$ref" in obj:
            node = self.doc
            for part in obj["$ref"][2:].split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
            obj = node
        return obj

    def check(self, value, pointer):
        """Validation errors of value against the schema at the JSON pointer (in the doc)."""
        v = OAS30Validator({"$ref": URN + "#/" + pointer}, registry=self.registry)
        return ["%s: %s" % ("/".join(map(str, e.absolute_path)) or "body", e.message)
                for e in v.iter_errors(value)]

    def match(self, method, path):
        for _, rx, template, names in self.routes:
            m = rx.match(path)
            if m and method.lower() in self.doc["paths"][template]:
                return template, dict(zip(names, m.groups()))
        for _, rx, template, _ in self.routes:
            if rx.match(path):
                return None, "%s %s: no such method in the description" % (method, template)
        return None, "%s %s: no such path in the description" % (method, path)

    def validate_request(self, method, path, query, headers, raw):
        template, params = self.match(method, path)
        if template is None:
            return None, [params]
        errors = []
        item = self.doc["paths"][template]
        op = item[method.lower()]
        base = ptr("paths", template, method.lower())
        declared = [self.deref(p) for p in item.get("parameters", []) + op.get("parameters", [])]
        qs = dict(kv.split("=", 1) if "=" in kv else (kv, "") for kv in query.split("&") if kv)
        for p in declared:
            schema = self.deref(p.get("schema", {}))
            if p["in"] == "path":
                value = params.get(p["name"])
            elif p["in"] == "query":
                value = qs.get(p["name"])
            elif p["in"] == "header":
                value = headers.get(p["name"])
            else:
                continue
            if value is None:
                if p.get("required"):
                    errors.append("missing %s parameter %s" % (p["in"], p["name"]))
                continue
            if schema.get("type") == "integer":
                try:
                    value = int(value)
                except ValueError:
                    errors.append("%s parameter %s is not an integer" % (p["in"], p["name"]))
                    continue
            v = OAS30Validator(schema, registry=self.registry)
            errors += ["%s parameter %s: %s" % (p["in"], p["name"], e.message)
                       for e in v.iter_errors(value)]
        unknown = set(qs) - {p["name"] for p in declared if p["in"] == "query"}
        errors += ["unknown query parameter %s" % q for q in sorted(unknown)]
        body_spec = self.deref(op.get("requestBody")) if op.get("requestBody") else None
        if body_spec is None:
            if raw:
                errors.append("a body where the operation takes none")
        else:
            ctype = (headers.get("Content-Type") or "").split(";")[0].strip()
            if not raw:
                if body_spec.get("required"):
                    errors.append("missing required body")
            elif ctype not in body_spec["content"]:
                errors.append("content type %r not in %s" % (ctype, list(body_spec["content"])))
            else:
                try:
                    body = json.loads(raw)
                except ValueError:
                    errors.append("body is not JSON")
                else:
                    errors += self.check(body, ptr("paths", template, method.lower(),
                                                   "requestBody", "content", ctype, "schema")
                                         if "$ref" not in op["requestBody"]
                                         else op["requestBody"]["$ref"][2:] + "/" +
                                         ptr("content", ctype, "schema"))
        return (template, params, base), errors

    def validate_response(self, template, method, status, obj):
        op = self.doc["paths"][template][method.lower()]
        resp = op["responses"].get(str(status))
        if resp is None:
            return ["answer %d not in the description's responses %s" % (status, list(op["responses"]))]
        resp_ptr = ptr("paths", template, method.lower(), "responses", str(status))
        if "$ref" in resp:
            resp_ptr = resp["$ref"][2:]
        resp = self.deref(resp)
        if "content" not in resp:
            return [] if obj is None else ["a body where the description has none"]
        if obj is None:
            return []
        return self.check(obj, resp_ptr + "/" + ptr("content", "application/json", "schema"))

    def example(self, schema, depth=0):
        """A value with every required field of schema filled (for minimal-repository)."""
        schema = self.deref(schema)
        if "allOf" in schema:
            out = {}
            for s in schema["allOf"]:
                out.update(self.example(s, depth))
            return out
        for key in ("oneOf", "anyOf"):
            if key in schema:
                return self.example(schema[key][0], depth)
        t = schema.get("type")
        if schema.get("nullable") and depth > 3:
            return None
        if "enum" in schema:
            return schema["enum"][0]
        if t == "object" or "properties" in schema:
            return {k: self.example(schema["properties"][k], depth + 1)
                    for k in schema.get("required", []) if k in schema.get("properties", {})}
        if t == "array":
            return []
        if t == "integer":
            return 1
        if t == "number":
            return 1.0
        if t == "boolean":
            return False
        if schema.get("format") == "uri":
            return "https://api.github.com/x"
        if schema.get("format") == "date-time":
            return "2026-01-01T00:00:00Z"
        return "x"


def now():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class GitHub(httpbed.Bed):
    def __init__(self, spec):
        super().__init__()
        self.spec = spec
        self.tokens = {}
        self.repos = {}
        self.orgs = set()
        self.keys = {}
        self.secrets = {}

    def key(self, scope):
        if scope not in self.keys:
            sk = nacl.public.PrivateKey.generate()
            self.keys[scope] = (str(3380204578043523366 + len(self.keys)), sk)
        return self.keys[scope]

    def seal(self, scope, value):
        key_id, sk = self.key(scope)
        box = nacl.public.SealedBox(sk.public_key).encrypt(value.encode())
        return key_id, base64.b64encode(box).decode()

    def seed(self, body):
        self.tokens.update(body.get("tokens", {}))
        self.repos.update(body.get("repos", {}))
        self.orgs.update(body.get("orgs", []))
        for s in body.get("secrets", []):
            key_id, enc = self.seal(s["scope"], s["value"])
            self.secrets[(s["scope"], s["name"])] = {
                "scope": s["scope"], "name": s["name"], "value": s["value"], "key_id": key_id,
                "encrypted_value": enc, "created_at": "2025-01-01T00:00:00Z",
                "updated_at": "2025-01-01T00:00:00Z", "visibility": s.get("visibility"),
                "selected_repository_ids": s.get("selected_repository_ids"), "writes": 0,
                "t_write": None,
            }

    def state(self):
        return {"secrets": [{k: v for k, v in s.items() if k != "encrypted_value"}
                            for s in self.secrets.values()]}

    def handle(self, method, path, query, headers, raw):
        checked, errors = self.spec.validate_request(method, path, query, headers, raw)
        if headers.get("X-GitHub-Api-Version") != API_VERSION:
            errors.append("X-GitHub-Api-Version is not %s" % API_VERSION)
        accept = headers.get("Accept") or ""
        if "application/vnd.github+json" not in accept and "application/json" not in accept:
            errors.append("Accept names neither application/vnd.github+json nor application/json")
        if errors:
            for e in errors:
                self.violation("%s %s: %s" % (method, path, e))
            return 400, {"message": "request does not match the OpenAPI description",
                         "errors": errors}, {}
        template, params, _ = checked
        auth = headers.get("Authorization") or ""
        m = re.match(r"^(?:Bearer|token) (\S+)$", auth)
        perm = self.tokens.get(m.group(1)) if m else None
        if perm is None:
            status, obj = 401, {"message": "Bad credentials",
                                "documentation_url": "https://docs.github.com/rest", "status": "401"}
        else:
            status, obj = self.route(method, template, params, perm, raw)
        if status < 400:
            for e in self.spec.validate_response(template, method, status, obj):
                self.violation("bed answer to %s %s: %s" % (method, template, e))
        return status, obj, {}

    def scope_of(self, template, p):
        if template.startswith("/orgs/"):
            return ("org:" + p["org"]) if p["org"] in self.orgs else None
        repo = "%s/%s" % (p["owner"], p["repo"])
        if repo not in self.repos:
            return None
        if "environment_name" in p:
            if p["environment_name"] not in self.repos[repo].get("environments", []):
                return None
            return "env:%s:%s" % (repo, p["environment_name"])
        return "repo:" + repo

    def route(self, method, template, p, perm, raw):
        scope = self.scope_of(template, p)
        not_found = (404, {"message": "Not Found",
                           "documentation_url": "https://docs.github.com/rest", "status": "404"})
        if scope is None:
            return not_found
        if perm == "none":
            return 403, {"message": "Resource not accessible by personal access token",
                         "documentation_url": "https://docs.github.com/rest", "status": "403"}
        if template.endswith("/public-key"):
            key_id, sk = self.key(scope)
            return 200, {"key_id": key_id,
                         "key": base64.b64encode(bytes(sk.public_key)).decode()}
        name = p.get("secret_name")
        secret = self.secrets.get((scope, name))
        if template.endswith("/repositories"):
            if secret is None:
                return not_found
            ids = secret.get("selected_repository_ids") or []
            repos = []
            for full, r in self.repos.items():
                if r["id"] in ids:
                    item = self.spec.example({"$ref": "#/components/schemas/minimal-repository"})
                    item.update({"id": r["id"], "name": full.split("/")[1], "full_name": full})
                    repos.append(item)
            return 200, {"total_count": len(repos), "repositories": repos}
        if method == "GET":
            if secret is None:
                return not_found
            out = {"name": name, "created_at": secret["created_at"],
                   "updated_at": secret["updated_at"]}
            if scope.startswith("org:"):
                out["visibility"] = secret["visibility"]
                out["selected_repositories_url"] = "https://api.github.com/orgs/x/actions/secrets/%s/repositories" % name
            return 200, out
        if method == "PUT":
            if perm != "write":
                return 403, {"message": "Resource not accessible by personal access token",
                             "documentation_url": "https://docs.github.com/rest", "status": "403"}
            body = json.loads(raw)
            key_id, sk = self.key(scope)
            if body["key_id"] != key_id:
                return 422, {"message": "Bad request - key_id does not match"}
            try:
                value = nacl.public.SealedBox(sk).decrypt(base64.b64decode(body["encrypted_value"]))
            except Exception:
                return 422, {"message": "Bad request - the value is not a sealed box"}
            if scope.startswith("org:"):
                if body.get("visibility") != "selected" and body.get("selected_repository_ids"):
                    return 422, {"message": "selected_repository_ids needs visibility selected"}
            created = secret is None
            if created:
                secret = {"scope": scope, "name": name, "created_at": now(), "writes": 0,
                          "visibility": None, "selected_repository_ids": None}
                self.secrets[(scope, name)] = secret
            secret.update({"value": value.decode(), "key_id": key_id,
                           "encrypted_value": body["encrypted_value"], "updated_at": now(),
                           "t_write": time.monotonic()})
            secret["writes"] += 1
            if scope.startswith("org:"):
                secret["visibility"] = body["visibility"]
                secret["selected_repository_ids"] = (body.get("selected_repository_ids")
                                                     if body["visibility"] == "selected" else None)
            return (201, {}) if created else (204, None)
        return 405, {"message": "not emulated"}


if __name__ == "__main__":
    httpbed.serve(GitHub(Spec(SPEC_PATH)), __doc__.splitlines()[0])
