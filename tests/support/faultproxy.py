#!/usr/bin/env python3
"""Fault-injecting HTTP proxy in front of a local moto server (test support for keyturn).

Usage:
    python3 faultproxy.py --upstream http://127.0.0.1:MOTO_PORT --port-file PATH [--log PATH]
                          [--parent-pid PID]

Listens on 127.0.0.1 (port chosen by binding port 0), writes the port number (no newline) to
--port-file atomically once listening, then forwards every request to the upstream, applying
the configured faults.  Standard library only.  Never logs secrets or bodies.

Control API (JSON, same port):
    GET  /__proxy/health            {"ok": true}
    GET  /__proxy/config            current config
    POST /__proxy/config            {"propagation_delay_s": float, "rewrite_errors": bool,
                                     "backdate_days": {"AKIA...": days},
                                     "mfa": null | {"serial": ARN, "code": "123456",
                                                    "resign_id": AKIA, "resign_secret": S},
                                     "late_resign": null | {"id": AKIA, "secret": S},
                                     "web_identity": null | {"id": AKIA, "secret": S}}
                                    (partial)
                                    backdate_days makes ListAccessKeys report those keys as
                                    created that many days earlier (moto cannot backdate)
                                    mfa turns on the MFA-enforcing mode (below)
    GET  /__proxy/rules             rules with their counters ("seen", "hits")
    POST /__proxy/rules             [rule, ...]  replaces the rule list
    GET  /__proxy/log               list of logged requests
    GET  /__proxy/held              list of seqs currently held by a "hold" fault
    POST /__proxy/release           release every held request -> {"released": [seq, ...]}
    GET  /__proxy/new_keys          [{"key_id": ..., "age_s": ..., "created_t": ...}] keys created
                                    through the proxy (created_t: the proxy's monotonic clock,
                                    as the "t" of log entries: when each request was answered)
    POST /__proxy/reset             rules, log, new keys, held requests, config -> defaults

Rule: {"action": "CreateAccessKey"|"*", "service": "iam"|"sts"|"*",
       "key": "*"|"new"|"old"|"AKIA...", "skip": 0, "times": null, "fault": F, "ms": N,
       "ratio": null | 0 < r <= 1}
Rules are evaluated in order. A rule that matches counts the request ("seen"); it applies when
its skip budget is used up and its times budget is not; the first rule that applies wins. A
request that a rule merely counts (skip) goes on to the following rules. With "ratio", the rule
applies to that share of the requests past skip, spread evenly and deterministically (request
n, from 0, applies when ceil((n+1)*r) > ceil(n*r)): "ratio": 0.3 throttles requests 0, 3, 6 of
every 10, never two in a row.

Faults "html_200_after" and "truncated_after": the request is forwarded (it runs upstream), then
answered 200 with an HTML page (a proxy's notice) or with the first half of the upstream body
(well-formed HTTP, cut XML): replies a client cannot read although the action happened.

Fault "hold" waits (listed in /__proxy/held) before the request is forwarded, "hold_after"
after it ran upstream, before its answer is sent; both until POST /__proxy/release (a client
killed meanwhile: the request never ran / ran and its answer is never read).
Fault "late": the request is read, the client's connection is closed at once without an answer
(the reply is lost), and the request is sent to IAM later: when POST /__proxy/release is called,
or after "ms" milliseconds if ms > 0. The log gets a second entry for it, fault "late_executed",
with the upstream status, once it has run. This is a CreateAccessKey that completes after the
caller gave up. IAM authenticates a request when it receives it; moto only when it runs it, by
which time the signing key may be gone (keyturn deletes the old key): with config
"late_resign", the proxy re-signs the late request with that key (the admin's) first, so
emulated is the authentication at receipt (the request names its user, so the effect is the
same).

Web identity emulation (config "web_identity"): STS AssumeRoleWithWebIdentity is sent unsigned
(the caller has only a token: a GitHub Actions OIDC job), and moto with IAM auth on cannot take
an unsigned request (it reads the Authorization header unconditionally and answers 500). With
this config the proxy signs such a request (SigV4, scope us-east-1/sts) with the configured key
(a bed key allowed sts:AssumeRoleWithWebIdentity) before forwarding, so moto itself answers it
and mints real temporary credentials for the role, which then work under auth. Emulated: the
token is not checked (moto accepts any), and moto sees the bed key as the caller. Logged with
fault "web_identity_signed".

MFA-enforcing mode (config "mfa"), emulating AWS's force-MFA policy
(BlockMostAccessUnlessSignedInWithMFA):
  - IAM calls signed with a long-term key get 403 AccessDenied ("... with an explicit deny in an
    identity-based policy", AWS's wording, which does not name MFA), except the calls that
    policy allows without MFA (ListMFADevices, GetUser, ... see MFA_EXEMPT). STS calls pass.
  - STS GetSessionToken with SerialNumber and TokenCode equal to the configured ones is answered
    by the proxy itself with session credentials it mints (ASIA...); a wrong code gets AWS's
    403 AccessDenied "MultiFactorAuthentication failed with invalid MFA one time pass code.".
  - IAM calls signed with such a session pass: moto does not accept GetSessionToken
    credentials, so the proxy re-signs them (SigV4, standard library) with the configured
    resign key (the admin's) and forwards them. Emulated: the session's own signature is not
    checked, and IAM sees the resign key as the caller (keyturn names the user in every call).
"""

import argparse
import datetime
import fractions
import hashlib
import hmac
import http.client
import json
import os
import re
import select
import signal
import socket
import struct
import sys
import threading
import time
import traceback
import urllib.parse
import secrets
import uuid
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_WAIT_S = 600.0
UPSTREAM_TIMEOUT_S = 120.0
IDLE_KEEPALIVE_TIMEOUT_S = 300.0

# XML namespace URIs of AWS error bodies: names, never contacted.
AWS_HOST = "amazonaws" + ".com"
NAMESPACES = {
    "iam": "https://iam." + AWS_HOST + "/doc/2010-05-08/",
    "sts": "https://sts." + AWS_HOST + "/doc/2011-06-15/",
}

# fault name -> (status, code, message, type)
SYNTHETIC_ERRORS = {
    "invalid_token": (403, "InvalidClientTokenId",
                      "The security token included in the request is invalid.", "Sender"),
    "signature": (403, "SignatureDoesNotMatch",
                  "The request signature we calculated does not match the signature you "
                  "provided. Check your AWS Secret Access Key and signing method. Consult the "
                  "service documentation for details.", "Sender"),
    "throttle": (400, "Throttling", "Rate exceeded", "Sender"),
    "unavailable": (503, "ServiceUnavailable", "Service is unable to handle request.", "Receiver"),
    "internal": (500, "InternalFailure",
                 "The request processing has failed because of an unknown error, exception or "
                 "failure.", "Receiver"),
}

FAULTS = {"throttle", "unavailable", "invalid_token", "signature", "reset", "drop_response",
          "error_500_after", "html_200_after", "truncated_after", "hang", "hold", "hold_after",
          "delay", "late"}

# What a proxy or load balancer in the way answers instead of AWS ("html_200_after").
HTML_PAGE = (b"<!DOCTYPE html>\n<html><head><title>Gateway notice</title></head>"
             b"<body><h1>Please wait</h1><p>Your request is being processed.</p></body></html>\n")

# IAM actions AWS's force-MFA example policy allows without MFA (managing one's own device).
MFA_EXEMPT = {"ListMFADevices", "ListVirtualMFADevices", "GetUser", "CreateVirtualMFADevice",
              "EnableMFADevice", "ResyncMFADevice", "ChangePassword", "GetAccountPasswordPolicy"}

HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
              "trailer", "trailers", "transfer-encoding", "upgrade", "expect", "content-length",
              "proxy-connection"}

DEFAULT_CONFIG = {"propagation_delay_s": 0.0, "rewrite_errors": True, "backdate_days": {},
                  "mfa": None, "late_resign": None, "web_identity": None}

CRED_RE = re.compile(r"Credential=([^/,\s]+)/([^/,\s]*)/([^/,\s]*)/([^/,\s]*)/")
ACCESS_KEY_ID_RE = re.compile(rb"<AccessKeyId>\s*([A-Z0-9]+)\s*</AccessKeyId>")
MOTO_ERROR_RE = re.compile(rb"^\s*(<\?xml[^>]*\?>)?\s*<ErrorResponse>\s*<Errors>\s*<Error>")


MEMBER_RE = re.compile(rb"<member>.*?</member>", re.S)
CREATE_DATE_RE = re.compile(rb"<CreateDate>([^<]+)</CreateDate>")


def backdate(data, days_by_key):
    """Moves the CreateDate of the named keys back in a ListAccessKeys reply."""
    import datetime

    def fix(member):
        body = member.group(0)
        m = ACCESS_KEY_ID_RE.search(body)
        days = days_by_key.get(m.group(1).decode("ascii")) if m else None
        if days is None:
            return body

        def shift(d):
            text = d.group(1).decode("ascii").replace("Z", "+00:00")
            when = datetime.datetime.fromisoformat(text) - datetime.timedelta(days=days)
            out = when.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            return b"<CreateDate>" + out.encode("ascii") + b"</CreateDate>"
        return CREATE_DATE_RE.sub(shift, body)
    return MEMBER_RE.sub(fix, data)


def sigv4_resign(method, path, headers, body, key_id, secret):
    """Headers (list of pairs) re-signed with (key_id, secret), SigV4 over content-type, host
    and x-amz-date, keeping the original scope's region and service."""
    auth = dict((k.lower(), v) for k, v in headers).get("authorization", "")
    m = CRED_RE.search(auth)
    if not m:
        return headers
    _key, date, region, service = m.groups()
    hmap = dict((k.lower(), v) for k, v in headers)
    amz_date = hmap.get("x-amz-date") or datetime.datetime.now(
        datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    signed = ["content-type", "host", "x-amz-date"]
    values = {"content-type": hmap.get("content-type", ""), "host": hmap.get("host", ""),
              "x-amz-date": amz_date}
    canonical_headers = "".join("%s:%s\n" % (h, " ".join(values[h].split())) for h in signed)
    split = urllib.parse.urlsplit(path)
    query = "&".join(sorted(
        "%s=%s" % (urllib.parse.quote(k, safe="-_.~"), urllib.parse.quote(v, safe="-_.~"))
        for k, v in urllib.parse.parse_qsl(split.query, keep_blank_values=True)))
    creq = "\n".join([method.upper(), urllib.parse.quote(split.path or "/", safe="/~"), query,
                      canonical_headers, ";".join(signed), hashlib.sha256(body).hexdigest()])
    scope = "%s/%s/%s/aws4_request" % (date, region, service)
    sts = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                     hashlib.sha256(creq.encode("utf-8")).hexdigest()])

    def h(k, msg):
        return hmac.new(k, msg.encode("utf-8"), hashlib.sha256).digest()
    k = h(h(h(h(("AWS4" + secret).encode("utf-8"), date), region), service), "aws4_request")
    sig = hmac.new(k, sts.encode("utf-8"), hashlib.sha256).hexdigest()
    out = [(k2, v) for k2, v in headers
           if k2.lower() not in ("authorization", "x-amz-security-token", "x-amz-date")]
    out.append(("X-Amz-Date", amz_date))
    out.append(("Authorization", "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, "
                "Signature=%s" % (key_id, scope, ";".join(signed), sig)))
    return out


def web_identity_signed(method, path, headers, body, key_id, secret):
    """An unsigned STS request's headers, signed with (key_id, secret) for us-east-1/sts."""
    now = datetime.datetime.now(datetime.timezone.utc)
    amz_date = now.strftime("%Y%m%dT%H%M%SZ")
    scope = "Credential=unsigned/%s/us-east-1/sts/aws4_request" % now.strftime("%Y%m%d")
    base = [(k, v) for k, v in headers if k.lower() not in ("authorization", "x-amz-date")]
    base += [("X-Amz-Date", amz_date), ("Authorization", "AWS4-HMAC-SHA256 " + scope)]
    return sigv4_resign(method, path, base, body, key_id, secret)


def session_xml(key_id, secret, token):
    expires = (datetime.datetime.now(datetime.timezone.utc)
               + datetime.timedelta(hours=12)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return ('<GetSessionTokenResponse xmlns="%s"><GetSessionTokenResult><Credentials>'
            "<AccessKeyId>%s</AccessKeyId><SecretAccessKey>%s</SecretAccessKey>"
            "<SessionToken>%s</SessionToken><Expiration>%s</Expiration></Credentials>"
            "</GetSessionTokenResult><ResponseMetadata><RequestId>%s</RequestId>"
            "</ResponseMetadata></GetSessionTokenResponse>\n"
            % (NAMESPACES["sts"], key_id, secret, token, expires, uuid.uuid4())).encode("utf-8")


def eprint(*args):
    print("faultproxy:", *args, file=sys.stderr, flush=True)


def xml_escape(s):
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def error_xml(service, code, message, err_type="Sender", request_id=None):
    ns = NAMESPACES.get(service or "iam", NAMESPACES["iam"])
    rid = request_id or str(uuid.uuid4())
    body = ('<ErrorResponse xmlns="%s"><Error><Type>%s</Type><Code>%s</Code>'
            "<Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>\n"
            % (ns, xml_escape(err_type), xml_escape(code), xml_escape(message), xml_escape(rid)))
    return body.encode("utf-8"), rid


class Rule:
    __slots__ = ("action", "service", "key", "skip", "times", "fault", "ms", "ratio", "seen",
                 "hits")

    def __init__(self, d):
        if not isinstance(d, dict):
            raise ValueError("rule must be an object")
        unknown = set(d) - {"action", "service", "key", "skip", "times", "fault", "ms", "ratio"}
        if unknown:
            raise ValueError("unknown rule fields: %s" % sorted(unknown))
        self.action = d.get("action", "*")
        self.service = d.get("service", "*")
        self.key = d.get("key", "*")
        for name in ("action", "service", "key"):
            if not isinstance(getattr(self, name), str):
                raise ValueError("rule %s must be a string" % name)
        self.skip = d.get("skip", 0)
        self.times = d.get("times", None)
        if not isinstance(self.skip, int) or self.skip < 0:
            raise ValueError("rule skip must be a non-negative integer")
        if self.times is not None and (not isinstance(self.times, int) or self.times < 0):
            raise ValueError("rule times must be null or a non-negative integer")
        self.fault = d.get("fault")
        if self.fault not in FAULTS:
            raise ValueError("unknown fault %r (known: %s)" % (self.fault, sorted(FAULTS)))
        self.ms = d.get("ms", 0)
        if not isinstance(self.ms, (int, float)) or self.ms < 0:
            raise ValueError("rule ms must be a non-negative number")
        self.ratio = d.get("ratio", None)
        if self.ratio is not None and (isinstance(self.ratio, bool)
                                       or not isinstance(self.ratio, (int, float))
                                       or not 0 < self.ratio <= 1):
            raise ValueError("rule ratio must be null or a number in (0, 1]")
        self.seen = 0
        self.hits = 0

    def matches(self, action, service, key_id, new_keys):
        if self.action != "*" and self.action != action:
            return False
        if self.service != "*" and self.service != service:
            return False
        if self.key == "*":
            return True
        if self.key == "new":
            return key_id is not None and key_id in new_keys
        if self.key == "old":
            return key_id not in new_keys
        return self.key == key_id

    def to_json(self):
        return {"action": self.action, "service": self.service, "key": self.key,
                "skip": self.skip, "times": self.times, "fault": self.fault, "ms": self.ms,
                "ratio": self.ratio, "seen": self.seen, "hits": self.hits}


class State:
    def __init__(self, log_path):
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.log_path = log_path
        self.held_path = (log_path + ".held") if log_path else None
        self._log_fh = None
        self._held_fh = None
        if log_path:
            self._log_fh = open(log_path, "a", encoding="utf-8")
            self._held_fh = open(self.held_path, "a", encoding="utf-8")
        self._reset_locked()

    def _reset_locked(self):
        self.config = dict(DEFAULT_CONFIG)
        self.rules = []
        self.log = []
        self.seq = 0
        self.new_keys = {}  # key_id -> monotonic creation time
        self.sessions = {}  # session key id -> long-term key id (MFA mode)
        self.held = {}      # seq -> (action, threading.Event)

    def reset(self):
        with self.lock:
            for _, ev in self.held.values():
                ev.set()
            self._reset_locked()
            if self._log_fh:
                self._log_fh.close()
                self._log_fh = open(self.log_path, "w", encoding="utf-8")
                self._held_fh.close()
                self._held_fh = open(self.held_path, "w", encoding="utf-8")

    def next_seq(self):
        with self.lock:
            self.seq += 1
            return self.seq

    def pick_rule(self, action, service, key_id):
        with self.lock:
            for rule in self.rules:
                if not rule.matches(action, service, key_id, self.new_keys):
                    continue
                n = rule.seen
                rule.seen += 1
                if n < rule.skip:
                    continue
                if rule.times is not None and n >= rule.skip + rule.times:
                    continue
                if rule.ratio is not None:
                    # ceil((k+1) r) > ceil(k r): the first request applies, then evenly.
                    k = n - rule.skip
                    r = fractions.Fraction(str(rule.ratio))
                    if -(-(k + 1) * r // 1) <= -(-k * r // 1):
                        continue
                rule.hits += 1
                return rule.fault, rule.ms
        return None, 0

    def propagation_blocked(self, key_id):
        with self.lock:
            delay = self.config["propagation_delay_s"]
            created = self.new_keys.get(key_id) if key_id else None
        return delay > 0 and created is not None and time.monotonic() - created < delay

    def add_new_key(self, key_id):
        with self.lock:
            self.new_keys[key_id] = time.monotonic()

    def record(self, entry):
        # "t": when the request was answered (recorded just before the answer is
        # written) or dropped, on the proxy's monotonic clock,
        # the clock of new_keys' "created_t": for benchmarks, never for test assertions.
        entry.setdefault("t", round(time.monotonic(), 4))
        line = json.dumps(entry, sort_keys=True)
        with self.lock:
            self.log.append(entry)
            if self._log_fh:
                self._log_fh.write(line + "\n")
                self._log_fh.flush()

    def hold(self, seq, action):
        ev = threading.Event()
        with self.lock:
            self.held[seq] = (action, ev)
            if self._held_fh:
                self._held_fh.write(json.dumps({"held": seq, "action": action}) + "\n")
                self._held_fh.flush()
        return ev

    def unhold(self, seq):
        with self.lock:
            self.held.pop(seq, None)

    def release_all(self):
        with self.lock:
            seqs = sorted(self.held)
            for _, ev in self.held.values():
                ev.set()
            self.held.clear()
        return seqs

    def wait(self, seconds):
        """Sleep up to `seconds` (capped at MAX_WAIT_S); returns early when stopping."""
        self.stopping.wait(min(max(seconds, 0.0), MAX_WAIT_S))


class ProxyServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, addr, handler, state, upstream):
        super().__init__(addr, handler)
        self.state = state
        self.upstream = upstream  # (host, port)

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, socket.timeout)):
            return
        # Only the exception type and code locations: messages could echo request data.
        frames = traceback.extract_tb(sys.exc_info()[2])[-5:]
        where = " <- ".join("%s:%d(%s)" % (os.path.basename(f.filename), f.lineno, f.name)
                            for f in reversed(frames))
        eprint("unhandled error in handler: %s at %s" % (type(exc).__name__, where))


class AbortConnection(Exception):
    """Raised to stop processing a connection after it was closed on purpose."""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "faultproxy"
    sys_version = ""
    timeout = IDLE_KEEPALIVE_TIMEOUT_S

    # ---- plumbing -------------------------------------------------------------------------
    def log_message(self, fmt, *args):  # silence default access log (paths may carry data)
        pass

    def handle_one_request(self):
        try:
            super().handle_one_request()
        except AbortConnection:
            self.close_connection = True
        except (ConnectionError, TimeoutError, socket.timeout):
            self.close_connection = True

    def __getattr__(self, name):
        if name.startswith("do_"):
            return self.dispatch
        raise AttributeError(name)

    def read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            chunks = []
            while True:
                line = self.rfile.readline(65537)
                if not line:
                    raise ConnectionError("client closed during chunked body")
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while True:  # trailers
                        t = self.rfile.readline(65537)
                        if not t or t in (b"\r\n", b"\n"):
                            break
                    break
                data = self.rfile.read(size)
                if len(data) < size:
                    raise ConnectionError("client closed during chunked body")
                chunks.append(data)
                self.rfile.readline(3)
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0:
            raise ValueError("negative Content-Length")
        data = self.rfile.read(length) if length else b""
        if len(data) < length:
            raise ConnectionError("client closed mid-body")
        return data

    def send_bytes(self, status, headers, body, reason=None):
        self.send_response(status, reason)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)
        self.wfile.flush()

    def send_json(self, status, obj):
        body = (json.dumps(obj) + "\n").encode("utf-8")
        self.send_bytes(status, [("Content-Type", "application/json")], body)

    def send_aws_error(self, kind, service, entry=None):
        status, code, message, etype = SYNTHETIC_ERRORS[kind]
        body, rid = error_xml(service, code, message, etype)
        ctype, extra = "text/xml", []
        if self.headers.get("X-Amz-Target"):
            # A JSON-protocol service (Secrets Manager, SSM): AWS answers
            # with a JSON error whose type is also in x-amzn-ErrorType.
            body = json.dumps({"__type": code, "message": message}).encode()
            ctype, extra = "application/x-amz-json-1.1", [("x-amzn-ErrorType", code)]
        if entry is not None:
            # Logged before the answer leaves, like every answered request
            # (see proxy_aws), so a client that got it always finds it logged.
            entry["status"] = status
            self.server.state.record(entry)
        self.send_bytes(status, [("Content-Type", ctype), ("x-amzn-RequestId", rid),
                                 ("Date", self.date_time_string())] + extra, body)
        return status

    def abort(self):
        """Close the client connection abruptly (RST via SO_LINGER 0), without a response."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
        except OSError:
            pass
        for f in (self.rfile, self.wfile):
            try:
                f.close()
            except Exception:
                pass
        try:
            self.connection.close()
        except OSError:
            pass
        raise AbortConnection()

    def wait_client_gone(self, max_s):
        """Block until the client closes its side (or stop / max_s); never sends anything."""
        deadline = time.monotonic() + min(max_s, MAX_WAIT_S)
        st = self.server.state
        while not st.stopping.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            try:
                r, _, _ = select.select([self.connection], [], [], min(left, 0.2))
                if r:
                    data = self.connection.recv(65536, socket.MSG_PEEK)
                    if not data:
                        return
                    # client sent more bytes (unexpected): consume and keep waiting
                    self.connection.recv(len(data))
            except (OSError, ValueError):
                return

    # ---- upstream ----------------------------------------------------------------------
    def forward(self, body, headers=None):
        return forward_to(self.server.upstream, self.command, self.path,
                          headers if headers is not None else list(self.headers.items()), body)

    # ---- request entry point -------------------------------------------------------------
    def dispatch(self):
        try:
            body = self.read_body()
        except (ConnectionError, ValueError):
            self.close_connection = True
            return
        path_only = urllib.parse.urlsplit(self.path).path
        if path_only.startswith("/__proxy/") or path_only == "/__proxy":
            try:
                self.control(path_only, body)
            except (ValueError, TypeError) as e:
                self.send_json(400, {"error": str(e)[:300]})
            return
        if path_only.startswith("/moto-api"):
            try:
                status, reason, headers, data = self.forward(body)
            except OSError as e:
                self.send_json(502, {"error": "faultproxy: upstream error: %s" % type(e).__name__})
                return
            self.send_bytes(status, headers, data, reason)
            return
        self.proxy_aws(body)

    def parse_request_meta(self, body):
        key_id = region = service = action = None
        m = CRED_RE.search(self.headers.get("Authorization") or "")
        if m:
            key_id, _date, region, service = m.group(1), m.group(2), m.group(3), m.group(4)
        ctype = (self.headers.get("Content-Type") or "").lower()
        if body and ("x-www-form-urlencoded" in ctype or body[:7] == b"Action="):
            try:
                q = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
                action = (q.get("Action") or [None])[0]
            except Exception:
                action = None
        if action is None:
            q = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            action = (q.get("Action") or [None])[0]
        if action is None:
            target = self.headers.get("X-Amz-Target")
            if target:
                action = target.rsplit(".", 1)[-1]
        return action, service, key_id, region

    def proxy_aws(self, body):
        st = self.server.state
        action, service, key_id, region = self.parse_request_meta(body)
        seq = st.next_seq()
        entry = {"seq": seq, "action": action, "service": service, "key_id": key_id,
                 "region": region, "status": None, "fault": None}
        fault, ms = st.pick_rule(action, service, key_id)
        entry["fault"] = fault
        try:
            if fault in ("throttle", "unavailable", "invalid_token", "signature"):
                self.send_aws_error(fault, service, entry)
                entry = None
                return
            if fault == "reset":
                st.record(entry)
                entry = None
                self.abort()
            if fault == "hang":
                st.record(entry)
                entry = None
                self.wait_client_gone(MAX_WAIT_S)
                self.abort()
            if fault == "hold":
                self.hold_until_released(seq, action)
            if fault == "delay":
                st.wait(ms / 1000.0)

            if fault == "late":
                st.record(entry)
                entry = None
                self.run_late(seq, action, service, key_id, region, ms, body)
                self.abort()

            # --- forward (or the simulated MFA policy / propagation error) ---
            with st.lock:
                mfa = st.config.get("mfa")
            local, fwd_headers = None, None
            if mfa:
                local, fwd_headers, label = self.mfa_gate(mfa, action, service, key_id, body)
                if label:
                    entry["fault"] = label if fault is None else fault + "+" + label
            with st.lock:
                wid = st.config.get("web_identity")
            if (wid and local is None and fwd_headers is None and key_id is None
                    and action == "AssumeRoleWithWebIdentity"):
                fwd_headers = web_identity_signed(self.command, self.path,
                                                  list(self.headers.items()), body,
                                                  wid["id"], wid["secret"])
                entry["service"] = "sts"
                entry["fault"] = "web_identity_signed" if fault is None else (
                    fault + "+web_identity_signed")
            if local is not None:
                status, reason, headers, data = local
            elif st.propagation_blocked(key_id):
                entry["fault"] = "propagation_delay" if fault is None else fault + "+propagation_delay"
                status, code, message, etype = SYNTHETIC_ERRORS["invalid_token"]
                data, rid = error_xml(service, code, message, etype)
                reason = None
                headers = [("Content-Type", "text/xml"), ("x-amzn-RequestId", rid),
                           ("Date", self.date_time_string())]
            else:
                try:
                    status, reason, headers, data = self.forward(body, fwd_headers)
                except OSError as e:
                    eprint("upstream error (seq %d): %s" % (seq, type(e).__name__))
                    entry["fault"] = (fault + "+" if fault else "") + "upstream_error"
                    entry["status"] = 502
                    st.record(entry)
                    entry = None
                    self.send_bytes(502, [("Content-Type", "text/plain")],
                                    b"faultproxy: upstream error\n")
                    return
                if action == "CreateAccessKey" and status == 200:
                    m = ACCESS_KEY_ID_RE.search(data)
                    if m:
                        st.add_new_key(m.group(1).decode("ascii"))
                if action == "ListAccessKeys" and status == 200:
                    with st.lock:
                        back = dict(st.config.get("backdate_days") or {})
                    if back:
                        data = backdate(data, back)
                if status >= 400 and st.config.get("rewrite_errors", True):
                    rewritten = self.rewrite_error(data, headers, service)
                    if rewritten is not None:
                        data, headers = rewritten
            if fault == "hold_after":
                # Carried out upstream; its answer waits for the release (a
                # client killed meanwhile never reads it).
                self.hold_until_released(seq, action)
            if fault == "drop_response":
                entry["status"] = None
                st.record(entry)
                entry = None
                self.abort()
            if fault == "error_500_after":
                self.send_aws_error("internal", service, entry)
                entry = None
                return
            if fault in ("html_200_after", "truncated_after"):
                # The request ran upstream; the answer is not one AWS gives:
                # an HTML page with 200, or the first half of the real body.
                entry["status"] = 200
                st.record(entry)
                entry = None
                if fault == "html_200_after":
                    self.send_bytes(200, [("Content-Type", "text/html; charset=utf-8")],
                                    HTML_PAGE)
                else:
                    self.send_bytes(200, headers, data[:len(data) // 2], reason)
                return
            # Recorded before the answer is written: a client that has its
            # answer (and a test reading the log right after) finds it logged.
            entry["status"] = status
            st.record(entry)
            entry = None
            self.send_bytes(status, headers, data, reason)
        finally:
            if entry is not None:
                st.record(entry)

    def hold_until_released(self, seq, action):
        """Waits (listed in /__proxy/held) until POST /__proxy/release, stop or MAX_WAIT_S."""
        st = self.server.state
        ev = st.hold(seq, action)
        try:
            deadline = time.monotonic() + MAX_WAIT_S
            while not ev.is_set() and not st.stopping.is_set():
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                ev.wait(min(left, 0.5))
        finally:
            st.unhold(seq)

    def run_late(self, seq, action, service, key_id, region, ms, body):
        """Sends the request upstream later, from a thread (fault "late")."""
        st = self.server.state
        upstream, method, path = self.server.upstream, self.command, self.path
        req_headers = list(self.headers.items())
        ev = st.hold(seq, action) if not ms else None

        def run():
            if ev is not None:
                while not ev.wait(0.5):
                    if st.stopping.is_set():
                        return
                st.unhold(seq)
            else:
                st.wait(ms / 1000.0)
            if st.stopping.is_set():
                return
            with st.lock:
                resign = st.config.get("late_resign")
            headers = req_headers
            if resign:
                headers = sigv4_resign(method, path, req_headers, body, resign["id"],
                                       resign["secret"])
            try:
                status, _, _, data = forward_to(upstream, method, path, headers, body)
            except OSError:
                status, data = 502, b""
            if action == "CreateAccessKey" and status == 200:
                m = ACCESS_KEY_ID_RE.search(data)
                if m:
                    st.add_new_key(m.group(1).decode("ascii"))
            st.record({"seq": seq, "action": action, "service": service, "key_id": key_id,
                       "region": region, "status": status, "fault": "late_executed"})
        threading.Thread(target=run, name="late-%d" % seq, daemon=True).start()

    def mfa_gate(self, mfa, action, service, key_id, body):
        """MFA-enforcing mode: (local answer or None, headers to forward or None, log label)."""
        st = self.server.state
        with st.lock:
            session_of = st.sessions.get(key_id)
        ctype = [("Content-Type", "text/xml")]
        if service == "sts" and action == "GetSessionToken":
            q = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
            serial = (q.get("SerialNumber") or [None])[0]
            code = (q.get("TokenCode") or [None])[0]
            if serial is None and code is None:
                return None, None, None
            if serial == mfa.get("serial") and code == mfa.get("code"):
                sid = "ASIA" + secrets.token_hex(8).upper()
                with st.lock:
                    st.sessions[sid] = key_id
                data = session_xml(sid, secrets.token_urlsafe(30), secrets.token_urlsafe(90))
                return (200, None, ctype, data), None, "mfa_session_token"
            data, rid = error_xml("sts", "AccessDenied", "MultiFactorAuthentication failed with "
                                  "invalid MFA one time pass code.", "Sender")
            return (403, None, ctype + [("x-amzn-RequestId", rid)], data), None, "mfa_bad_code"
        if service != "iam":
            return None, None, None
        if session_of is not None:
            headers = sigv4_resign(self.command, self.path, list(self.headers.items()), body,
                                   mfa["resign_id"], mfa["resign_secret"])
            return None, headers, "mfa_session"
        if action in MFA_EXEMPT:
            return None, None, None
        msg = ("User: %s is not authorized to perform: iam:%s with an explicit deny in an "
               "identity-based policy" % (key_id, action))
        data, rid = error_xml("iam", "AccessDenied", msg, "Sender")
        return (403, None, ctype + [("x-amzn-RequestId", rid)], data), None, "mfa_denied"

    def rewrite_error(self, data, headers, service):
        if not MOTO_ERROR_RE.match(data):
            return None
        try:
            root = ET.fromstring(data)
        except ET.ParseError:
            return None
        err = root.find("./Errors/Error")
        if err is None:
            return None
        code = err.findtext("Code") or "UnknownError"
        message = err.findtext("Message") or ""
        etype = err.findtext("Type") or "Sender"
        rid = None
        for k, v in headers:
            if k.lower() == "x-amzn-requestid":
                rid = v
        rid = rid or root.findtext("RequestId") or root.findtext("RequestID")
        body, rid = error_xml(service, code, message, etype, rid)
        new_headers = [(k, v) for k, v in headers
                       if k.lower() not in ("content-type", "x-amzn-requestid", "status")]
        new_headers.append(("Content-Type", "text/xml"))
        new_headers.append(("x-amzn-RequestId", rid))
        return body, new_headers

    # ---- control API ---------------------------------------------------------------------
    def control(self, path, body):
        st = self.server.state
        name = path[len("/__proxy/"):].strip("/")
        method = self.command
        payload = None
        if method == "POST" and body.strip():
            try:
                payload = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as e:
                raise ValueError("invalid JSON body: %s" % type(e).__name__)
        if name == "health" and method == "GET":
            return self.send_json(200, {"ok": True})
        if name == "config":
            if method == "POST":
                if not isinstance(payload, dict):
                    raise ValueError("config body must be an object")
                upd = {}
                for k, v in payload.items():
                    if k == "propagation_delay_s":
                        if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
                            raise ValueError("propagation_delay_s must be a number >= 0")
                        upd[k] = float(v)
                    elif k == "rewrite_errors":
                        if not isinstance(v, bool):
                            raise ValueError("rewrite_errors must be a boolean")
                        upd[k] = v
                    elif k == "mfa":
                        need = ("serial", "code", "resign_id", "resign_secret")
                        if v is not None and (not isinstance(v, dict) or not all(
                                isinstance(v.get(n), str) for n in need)):
                            raise ValueError("mfa must be null or an object with %s" % (need,))
                        upd[k] = dict(v) if v else None
                    elif k in ("late_resign", "web_identity"):
                        if v is not None and (not isinstance(v, dict) or not all(
                                isinstance(v.get(n), str) for n in ("id", "secret"))):
                            raise ValueError("%s must be null or {id, secret}" % k)
                        upd[k] = dict(v) if v else None
                    elif k == "backdate_days":
                        if not isinstance(v, dict) or not all(
                                isinstance(d, (int, float)) and not isinstance(d, bool)
                                for d in v.values()):
                            raise ValueError("backdate_days must map key ids to numbers")
                        upd[k] = dict(v)
                    else:
                        raise ValueError("unknown config key %r" % k)
                with st.lock:
                    st.config.update(upd)
            elif method != "GET":
                return self.send_json(405, {"error": "method not allowed"})
            with st.lock:
                cfg = dict(st.config)
            for k in ("late_resign", "web_identity"):
                if cfg.get(k):
                    cfg[k] = {"id": cfg[k]["id"]}
            if cfg.get("mfa"):
                cfg["mfa"] = {"serial": cfg["mfa"]["serial"], "resign_id": cfg["mfa"]["resign_id"]}
            return self.send_json(200, cfg)
        if name == "rules":
            if method == "POST":
                if not isinstance(payload, list):
                    raise ValueError("rules body must be a list")
                rules = [Rule(r) for r in payload]
                with st.lock:
                    st.rules = rules
            elif method != "GET":
                return self.send_json(405, {"error": "method not allowed"})
            with st.lock:
                out = [r.to_json() for r in st.rules]
            return self.send_json(200, out)
        if name == "log" and method == "GET":
            with st.lock:
                out = list(st.log)
            return self.send_json(200, out)
        if name == "held" and method == "GET":
            with st.lock:
                out = sorted(st.held)
            return self.send_json(200, out)
        if name == "release" and method == "POST":
            return self.send_json(200, {"released": st.release_all()})
        if name == "new_keys" and method == "GET":
            now = time.monotonic()
            with st.lock:
                out = [{"key_id": k, "age_s": round(now - t, 3), "created_t": round(t, 4)}
                       for k, t in st.new_keys.items()]
            return self.send_json(200, out)
        if name == "reset" and method == "POST":
            st.reset()
            return self.send_json(200, {"ok": True})
        return self.send_json(404, {"error": "unknown control endpoint %s %s" % (method, name)})


def forward_to(upstream, method, path, req_headers, body):
    host, port = upstream
    conn = http.client.HTTPConnection(host, port, timeout=UPSTREAM_TIMEOUT_S)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for k, v in req_headers:
            if k.lower() in HOP_BY_HOP:
                continue
            conn.putheader(k, v)
        if body or method in ("POST", "PUT", "PATCH"):
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body if body else None)
        resp = conn.getresponse()
        data = resp.read()
        headers = [(k, v) for k, v in resp.getheaders() if k.lower() not in HOP_BY_HOP]
        return resp.status, resp.reason, headers, data
    finally:
        conn.close()


def parse_upstream(url):
    u = urllib.parse.urlsplit(url)
    if u.scheme != "http" or not u.hostname:
        raise SystemExit("--upstream must be http://HOST:PORT")
    return u.hostname, u.port or 80


def write_port_file(path, port):
    d = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(d, ".%s.tmp.%d" % (os.path.basename(path), os.getpid()))
    with open(tmp, "w", encoding="ascii") as f:
        f.write(str(port))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", default=None)
    ap.add_argument("--parent-pid", type=int, default=None,
                    help="exit when this process no longer exists")
    args = ap.parse_args(argv)

    state = State(args.log)
    server = ProxyServer(("127.0.0.1", 0), Handler, state, parse_upstream(args.upstream))
    port = server.server_address[1]

    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    t = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                         name="serve", daemon=True)
    t.start()
    write_port_file(args.port_file, port)
    eprint("listening on 127.0.0.1:%d -> %s:%d" % ((port,) + server.upstream))
    try:
        while not stop.wait(0.5):
            if args.parent_pid is not None:
                try:
                    os.kill(args.parent_pid, 0)
                except ProcessLookupError:
                    eprint("parent %d gone, exiting" % args.parent_pid)
                    break
                except PermissionError:
                    pass
    finally:
        state.stopping.set()
        state.release_all()
        server.shutdown()
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
