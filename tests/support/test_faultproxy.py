#!/usr/bin/env python3
"""Self-test of faultproxy.py against a real local moto server (IAM auth enforced).

Run with the Python of a venv that has tests/support/requirements.txt installed:
    .venv/bin/python tests/support/test_faultproxy.py
Everything talks to 127.0.0.1 only; all credentials are fake or minted by moto.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
PROXY_SCRIPT = os.path.join(HERE, "faultproxy.py")

try:
    import boto3
    import botocore
    import botocore.parsers
    import moto  # noqa: F401  (the server is run with this same interpreter)
    from botocore.config import Config
    from botocore.exceptions import ClientError
except ImportError as exc:  # fail loudly, never skip
    sys.stderr.write(
        "FAIL: test_faultproxy.py needs moto[server] and boto3 importable by %s (%s).\n"
        "Install them: python3 -m venv .venv && .venv/bin/pip install -r %s\n"
        % (sys.executable, exc, os.path.join(HERE, "requirements.txt")))
    sys.exit(1)

# Never let botocore find real credentials or config on this machine.
for _var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID",
             "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL"):
    os.environ.pop(_var, None)
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

REGION = "us-east-1"
FAKE_KEY = "AKIAFAKEBOOTSTRAP000"
FAKE_SECRET = "fake-secret-not-used-by-moto-before-auth"
ADMIN_POLICY = json.dumps({"Version": "2012-10-17",
                           "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
# XML namespace URIs of AWS error bodies: names, never contacted.
AWS_HOST = "amazonaws" + ".com"
IAM_NS = "https://iam." + AWS_HOST + "/doc/2010-05-08/"
STS_NS = "https://sts." + AWS_HOST + "/doc/2011-06-15/"
CONN_ERRORS = (botocore.exceptions.ConnectionClosedError,
               botocore.exceptions.EndpointConnectionError,
               botocore.exceptions.ReadTimeoutError)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(pred, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError("timed out after %ss waiting for %s" % (timeout, what))


def http(method, url, body=None, ctype="application/json", timeout=10):
    req = urllib.request.Request(url, data=body, method=method,
                                 headers={"Content-Type": ctype} if body is not None else {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def die_with_parent():
    """preexec_fn: the child gets SIGTERM if this test process dies (Linux only)."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001
        pass


def kill_proc(p):
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(5)


def start_proxy(upstream, tmpdir, name):
    port_file = os.path.join(tmpdir, name + ".port")
    log = os.path.join(tmpdir, name + ".log")
    err = open(os.path.join(tmpdir, name + ".stderr"), "w")
    p = subprocess.Popen([sys.executable, PROXY_SCRIPT, "--upstream", upstream,
                          "--port-file", port_file, "--log", log,
                          "--parent-pid", str(os.getpid())],
                         stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL,
                         preexec_fn=die_with_parent)
    err.close()

    def read_port():
        if p.poll() is not None:
            raise AssertionError("proxy %s exited early with %s" % (name, p.returncode))
        try:
            with open(port_file) as f:
                return int(f.read())
        except (FileNotFoundError, ValueError):
            return None

    port = wait_for(read_port, 15, "proxy port file")
    return p, port, log


class FaultProxyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="faultproxy-test-")
        cls.addClassCleanup(cls.tmp.cleanup)
        tmp = cls.tmp.name
        moto_port = free_port()
        cls.moto_url = "http://127.0.0.1:%d" % moto_port
        env = dict(os.environ, INITIAL_NO_AUTH_ACTION_COUNT="0")
        moto_log = open(os.path.join(tmp, "moto.log"), "w")
        cls.moto = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1",
                                     "-p", str(moto_port)],
                                    env=env, stdout=moto_log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, preexec_fn=die_with_parent)
        moto_log.close()
        cls.addClassCleanup(kill_proc, cls.moto)

        def moto_up():
            if cls.moto.poll() is not None:
                raise AssertionError("moto server exited with %s" % cls.moto.returncode)
            try:
                http("GET", cls.moto_url + "/moto-api/reset-auth", timeout=1)
                return True
            except OSError:
                return False

        wait_for(moto_up, 30, "moto server")

        cls.proxy, port, cls.log_path = start_proxy(cls.moto_url, tmp, "proxy")
        cls.addClassCleanup(kill_proc, cls.proxy)
        cls.proxy_url = "http://127.0.0.1:%d" % port
        cls.proxy_port = port
        cls.proxy_stderr = os.path.join(tmp, "proxy.stderr")

        # The admin user is created directly on moto, so the proxy sees its key as "old".
        cls.admin_key, cls.admin_secret = cls.bootstrap_user("admin", cls.moto_url)
        cls.secrets = [cls.admin_secret]

    # ---- helpers ---------------------------------------------------------------------------
    @classmethod
    def client(cls, service, key=FAKE_KEY, secret=FAKE_SECRET, endpoint=None, read_timeout=20):
        cfg = Config(retries={"total_max_attempts": 1, "mode": "standard"},
                     connect_timeout=5, read_timeout=read_timeout)
        return boto3.client(service, endpoint_url=endpoint or cls.proxy_url, region_name=REGION,
                            aws_access_key_id=key, aws_secret_access_key=secret, config=cfg)

    @classmethod
    def reset_auth(cls, n, base=None):
        status, body = http("POST", (base or cls.moto_url) + "/moto-api/reset-auth",
                            str(n).encode(), ctype="text/plain")
        assert status == 200, (status, body)
        return json.loads(body)

    @classmethod
    def bootstrap_user(cls, name, endpoint):
        """Create user + admin inline policy + key with exactly 3 unauthenticated requests."""
        cls.reset_auth(3)
        iam = cls.client("iam", endpoint=endpoint)
        iam.create_user(UserName=name)
        iam.put_user_policy(UserName=name, PolicyName="admin", PolicyDocument=ADMIN_POLICY)
        k = iam.create_access_key(UserName=name)["AccessKey"]
        return k["AccessKeyId"], k["SecretAccessKey"]

    def ctl(self, method, name, payload=None, raw=None):
        body = raw if raw is not None else (
            json.dumps(payload).encode() if payload is not None else
            (b"" if method == "POST" else None))
        status, data = http(method, "%s/__proxy/%s" % (self.proxy_url, name), body)
        return status, json.loads(data)

    def rules(self, *rules):
        status, out = self.ctl("POST", "rules", list(rules))
        self.assertEqual(status, 200, out)
        return out

    def log(self):
        status, out = self.ctl("GET", "log")
        self.assertEqual(status, 200)
        return out

    def admin(self, service="iam", **kw):
        return self.client(service, self.admin_key, self.admin_secret, **kw)

    def new_key_for(self, user):
        """Create `user` (if needed) and a key for it, through the proxy, signed by admin."""
        iam = self.admin()
        try:
            iam.create_user(UserName=user)
        except ClientError as e:
            if e.response["Error"]["Code"] != "EntityAlreadyExists":
                raise
        iam.put_user_policy(UserName=user, PolicyName="admin", PolicyDocument=ADMIN_POLICY)
        k = iam.create_access_key(UserName=user)["AccessKey"]
        self.secrets.append(k["SecretAccessKey"])
        return k["AccessKeyId"], k["SecretAccessKey"]

    def assertClientError(self, fn, code, status):
        with self.assertRaises(ClientError) as cm:
            fn()
        err = cm.exception.response
        self.assertEqual(err["Error"]["Code"], code, err)
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], status, err)
        return err

    def key_ids(self, user):
        r = self.admin().list_access_keys(UserName=user)
        return [k["AccessKeyId"] for k in r["AccessKeyMetadata"]]

    def setUp(self):
        status, _ = self.ctl("POST", "reset")
        self.assertEqual(status, 200)

    # ---- tests -------------------------------------------------------------------------------
    def test_plain_forwarding_and_log(self):
        # /moto-api passes straight through (and is not logged).
        out = self.reset_auth(3, base=self.proxy_url)
        self.assertEqual(out["status"], "ok")
        key, secret = self.bootstrap_user("plain", self.proxy_url)
        self.secrets.append(secret)
        iam = self.client("iam", key, secret)
        sts = self.client("sts", key, secret)
        metas = iam.list_access_keys(UserName="plain")["AccessKeyMetadata"]
        self.assertEqual([m["AccessKeyId"] for m in metas], [key])
        self.assertEqual(iam.get_user()["User"]["UserName"], "plain")
        self.assertTrue(sts.get_caller_identity()["Arn"].endswith(":user/plain"))
        # unauthenticated allowance is used up: the fake key is rejected now
        self.assertClientError(lambda: self.client("iam").list_users(), "InvalidClientTokenId", 403)

        log = self.log()
        self.assertEqual([e["action"] for e in log],
                         ["CreateUser", "PutUserPolicy", "CreateAccessKey", "ListAccessKeys",
                          "GetUser", "GetCallerIdentity", "ListUsers"])
        self.assertEqual([e["seq"] for e in log], list(range(1, 8)))
        self.assertEqual([e["status"] for e in log], [200] * 6 + [403])
        self.assertTrue(all(e["fault"] is None for e in log))
        self.assertTrue(all(e["region"] == REGION for e in log))
        self.assertEqual([e["service"] for e in log], ["iam"] * 5 + ["sts", "iam"])
        self.assertEqual([e["key_id"] for e in log[3:6]], [key] * 3)
        self.assertEqual(log[0]["key_id"], FAKE_KEY)
        for e in log:
            self.assertEqual(set(e), {"seq", "action", "service", "key_id", "region", "status",
                                      "fault", "t"})
        with open(self.log_path) as f:
            file_entries = [json.loads(line) for line in f]
        self.assertEqual(file_entries, log)
        _, new_keys = self.ctl("GET", "new_keys")
        self.assertEqual([k["key_id"] for k in new_keys], [key])
        self.assertNoSecretsLogged()

    def assertNoSecretsLogged(self):
        blobs = [json.dumps(self.log())]
        for path in (self.log_path, self.log_path + ".held", self.proxy_stderr):
            if os.path.exists(path):
                with open(path) as f:
                    blobs.append(f.read())
        for secret in self.secrets:
            for blob in blobs:
                self.assertNotIn(secret, blob)

    def test_error_shape_rewrite(self):
        raw = {}

        def grab(http_response, **kw):
            raw["body"] = http_response.content.decode()
            raw["ctype"] = http_response.headers.get("Content-Type")

        bogus = self.client("iam", "AKIABOGUSBOGUSBOGUS0", "bogus-secret")
        bogus.meta.events.register("after-call.iam", grab)
        err = self.assertClientError(bogus.list_users, "InvalidClientTokenId", 403)
        self.assertEqual(err["Error"]["Message"],
                         "The security token included in the request is invalid.")
        self.assertEqual(err["Error"]["Type"], "Sender")
        self.assertNotIn("<Errors>", raw["body"])
        self.assertIn('<ErrorResponse xmlns="%s"><Error><Type>Sender</Type>'
                      "<Code>InvalidClientTokenId</Code>" % IAM_NS, raw["body"])
        self.assertIn("<RequestId>", raw["body"])
        self.assertEqual(raw["ctype"], "text/xml")
        self.assertTrue(err["ResponseMetadata"]["RequestId"])

        sts = self.client("sts", "AKIABOGUSBOGUSBOGUS0", "bogus-secret")
        sts.meta.events.register("after-call.sts", grab)
        self.assertClientError(sts.get_caller_identity, "InvalidClientTokenId", 403)
        self.assertIn('<ErrorResponse xmlns="%s">' % STS_NS, raw["body"])

        badsig = self.client("iam", self.admin_key, "wrong-secret")
        self.assertClientError(badsig.list_users, "SignatureDoesNotMatch", 403)

        # moto's own shape when the rewrite is off
        status, cfg = self.ctl("POST", "config", {"rewrite_errors": False})
        self.assertEqual(cfg, {"propagation_delay_s": 0.0, "rewrite_errors": False, "backdate_days": {},
                               "mfa": None, "late_resign": None, "web_identity": None})
        self.assertClientError(bogus.list_users, "InvalidClientTokenId", 403)
        self.assertIn("<ErrorResponse><Errors><Error>", raw["body"])

        # ordinary (non-auth) moto errors already have the real shape and pass unchanged
        self.ctl("POST", "config", {"rewrite_errors": True})
        iam = self.admin()
        iam.meta.events.register("after-call.iam", grab)
        self.assertClientError(lambda: iam.get_user(UserName="nobody"), "NoSuchEntity", 404)
        self.assertIn('<ErrorResponse xmlns="%s">' % IAM_NS, raw["body"])

    def key_age(self, key):
        status, out = self.ctl("GET", "new_keys")
        self.assertEqual(status, 200)
        return next(k["age_s"] for k in out if k["key_id"] == key)

    def test_propagation_delay(self):
        # No assertion depends on how fast this test runs: the delay is far
        # longer than any run while the key must be rejected, and it is then
        # shortened to a value the proxy itself reports the key has passed.
        self.ctl("POST", "config", {"propagation_delay_s": 600})
        key, secret = self.new_key_for("prop")
        iam = self.client("iam", key, secret)
        self.assertClientError(iam.get_user, "InvalidClientTokenId", 403)
        self.assertEqual(self.admin().get_user()["User"]["UserName"], "admin")  # old key fine
        entry = self.log()[-2]
        self.assertEqual((entry["action"], entry["key_id"], entry["status"], entry["fault"]),
                         ("GetUser", key, 403, "propagation_delay"))
        # The delay counts from the key's creation: wait (on the proxy's own clock) until
        # the key is older than the delay, then it is accepted.
        self.ctl("POST", "config", {"propagation_delay_s": 0.3})
        wait_for(lambda: self.key_age(key) > 0.3, 60, "the key to age past the delay")
        self.assertEqual(iam.get_user()["User"]["UserName"], "prop")
        self.assertIsNone(self.log()[-1]["fault"])

    def test_ratio_spreads_faults_evenly_and_deterministically(self):
        self.rules({"action": "GetUser", "fault": "throttle", "ratio": 0.3})
        iam = self.admin()
        outcomes = []
        for _ in range(20):
            try:
                iam.get_user()
                outcomes.append(0)
            except ClientError as e:
                self.assertEqual(e.response["Error"]["Code"], "Throttling")
                outcomes.append(1)
        self.assertEqual(sum(outcomes), 6)
        self.assertEqual(outcomes[:10], [1, 0, 0, 1, 0, 0, 1, 0, 0, 0])
        self.assertFalse(any(a and b for a, b in zip(outcomes, outcomes[1:])), outcomes)
        status, out = self.ctl("POST", "rules", [{"fault": "throttle", "ratio": 0}])
        self.assertEqual(status, 400, out)

    def test_late_create_runs_after_the_reply_was_lost(self):
        iam = self.admin()
        try:
            iam.create_user(UserName="late")
        except ClientError:
            pass
        self.rules({"action": "CreateAccessKey", "fault": "late", "times": 1})
        self.ctl("POST", "config", {"late_resign": {"id": self.admin_key,
                                                    "secret": self.admin_secret}})
        with self.assertRaises(CONN_ERRORS):
            iam.create_access_key(UserName="late")
        # Nothing ran yet: the request waits for /release.
        self.assertEqual(self.key_ids("late"), [])
        wait_for(lambda: self.ctl("GET", "held")[1], 30, "the late request to be held")
        self.ctl("POST", "release")
        wait_for(lambda: any(e["fault"] == "late_executed" and e["status"] == 200
                             for e in self.log()), 30, "the late request to run")
        self.assertEqual(len(self.key_ids("late")), 1)
        for k in self.key_ids("late"):
            iam.delete_access_key(UserName="late", AccessKeyId=k)

    def test_mfa_mode_denies_long_term_keys_and_accepts_sessions(self):
        serial = "arn:aws:iam::123456789012:mfa/mfa-user"
        key, secret = self.new_key_for("mfa-user")
        self.ctl("POST", "config", {"mfa": {"serial": serial, "code": "123456",
                                            "resign_id": self.admin_key,
                                            "resign_secret": self.admin_secret}})
        iam = self.client("iam", key, secret)
        sts = self.client("sts", key, secret)
        err = self.assertClientError(lambda: iam.list_access_keys(UserName="mfa-user"),
                                     "AccessDenied", 403)
        self.assertIn("explicit deny", err["Error"]["Message"])
        # Allowed without MFA by the force-MFA policy, and STS always.
        iam.list_mfa_devices(UserName="mfa-user")
        self.assertTrue(sts.get_caller_identity()["Arn"].endswith(":user/mfa-user"))
        self.assertClientError(lambda: sts.get_session_token(SerialNumber=serial,
                                                             TokenCode="000000"),
                               "AccessDenied", 403)
        c = sts.get_session_token(SerialNumber=serial, TokenCode="123456")["Credentials"]
        self.assertTrue(c["AccessKeyId"].startswith("ASIA"))
        self.secrets += [c["SecretAccessKey"], c["SessionToken"]]
        s_iam = boto3.client("iam", endpoint_url=self.proxy_url, region_name=REGION,
                             aws_access_key_id=c["AccessKeyId"],
                             aws_secret_access_key=c["SecretAccessKey"],
                             aws_session_token=c["SessionToken"])
        keys = s_iam.list_access_keys(UserName="mfa-user")["AccessKeyMetadata"]
        self.assertEqual([k["AccessKeyId"] for k in keys], [key])
        faults = [e["fault"] for e in self.log()]
        self.assertEqual(faults.count("mfa_denied"), 1, faults)
        self.assertEqual(faults.count("mfa_session_token"), 1, faults)
        self.assertEqual(faults.count("mfa_session"), 1, faults)
        status, cfg = self.ctl("GET", "config")
        self.assertNotIn("resign_secret", cfg["mfa"])
        self.assertNotIn("code", cfg["mfa"])

    def test_throttle_not_forwarded(self):
        self.rules({"action": "CreateUser", "fault": "throttle"})
        err = self.assertClientError(lambda: self.admin().create_user(UserName="thr"),
                                     "Throttling", 400)
        self.assertEqual(err["Error"]["Message"], "Rate exceeded")
        self.rules()
        self.assertClientError(lambda: self.admin().get_user(UserName="thr"), "NoSuchEntity", 404)
        self.assertEqual(self.log()[0]["fault"], "throttle")
        self.assertEqual(self.log()[0]["status"], 400)

    def test_backdate_moves_create_date_of_named_keys_only(self):
        iam = self.admin()
        iam.create_user(UserName="old")
        a = iam.create_access_key(UserName="old")["AccessKey"]["AccessKeyId"]
        b = iam.create_access_key(UserName="old")["AccessKey"]["AccessKeyId"]
        before = {k["AccessKeyId"]: k["CreateDate"] for k in
                  iam.list_access_keys(UserName="old")["AccessKeyMetadata"]}
        self.ctl("POST", "config", {"backdate_days": {a: 100}})
        after = {k["AccessKeyId"]: k["CreateDate"] for k in
                 iam.list_access_keys(UserName="old")["AccessKeyMetadata"]}
        self.ctl("POST", "config", {"backdate_days": {}})
        self.assertAlmostEqual((before[a] - after[a]).total_seconds(), 100 * 86400, delta=1)
        self.assertEqual(after[b], before[b])

    def test_skip_times_unavailable_and_auth_faults(self):
        self.rules({"action": "ListUsers", "service": "iam", "skip": 1, "times": 1,
                    "fault": "unavailable"},
                   {"action": "GetCallerIdentity", "service": "sts", "times": 1,
                    "fault": "invalid_token"},
                   {"action": "GetCallerIdentity", "service": "sts", "times": 1,
                    "fault": "signature"})
        iam = self.admin()
        sts = self.admin("sts")
        iam.list_users()
        self.assertClientError(iam.list_users, "ServiceUnavailable", 503)
        iam.list_users()
        self.assertClientError(sts.get_caller_identity, "InvalidClientTokenId", 403)
        self.assertClientError(sts.get_caller_identity, "SignatureDoesNotMatch", 403)
        sts.get_caller_identity()
        _, rules = self.ctl("GET", "rules")
        self.assertEqual([(r["seen"], r["hits"]) for r in rules], [(3, 1), (3, 1), (2, 1)])
        self.assertEqual([e["fault"] for e in self.log()],
                         [None, "unavailable", None, "invalid_token", "signature", None])

    def test_concurrent_rule_budget(self):
        self.rules({"action": "GetUser", "skip": 3, "times": 5, "fault": "throttle"})
        codes = []
        lock = threading.Lock()

        def worker():
            iam = self.admin()
            for _ in range(4):
                try:
                    iam.get_user()
                    code = "ok"
                except ClientError as e:
                    code = e.response["Error"]["Code"]
                with lock:
                    codes.append(code)

        threads = [threading.Thread(target=worker) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        self.assertEqual(sorted(codes), ["Throttling"] * 5 + ["ok"] * 19)
        log = self.log()
        self.assertEqual(sorted(e["seq"] for e in log), list(range(1, 25)))
        self.assertEqual(sum(e["fault"] == "throttle" for e in log), 5)

    def test_key_new_old_specific(self):
        key, secret = self.new_key_for("km")
        newc = self.client("iam", key, secret)
        self.rules({"key": "new", "fault": "throttle"})
        self.assertClientError(newc.get_user, "Throttling", 400)
        self.admin().get_user()
        self.rules({"key": "old", "fault": "throttle"})
        newc.get_user()
        self.assertClientError(self.admin().get_user, "Throttling", 400)
        self.rules({"key": key, "action": "GetUser", "fault": "unavailable"})
        self.assertClientError(newc.get_user, "ServiceUnavailable", 503)
        newc.list_users()
        self.admin().get_user()

    def test_reset(self):
        self.rules({"action": "GetUser", "fault": "reset"})
        with self.assertRaises(CONN_ERRORS):
            self.admin().get_user()
        # a raw client sees a TCP reset, not a clean close
        s = socket.create_connection(("127.0.0.1", self.proxy_port), timeout=5)
        body = b"Action=GetUser&Version=2010-05-08"
        s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded"
                  b"\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        with self.assertRaises(ConnectionResetError):
            while s.recv(1024):
                pass
        s.close()
        self.assertEqual([(e["fault"], e["status"]) for e in self.log()],
                         [("reset", None), ("reset", None)])
        self.rules()
        self.admin().get_user()

    def test_drop_response_forwards(self):
        self.admin().create_user(UserName="drop")
        self.rules({"action": "CreateAccessKey", "fault": "drop_response"})
        with self.assertRaises(CONN_ERRORS):
            self.admin().create_access_key(UserName="drop")
        self.rules()
        keys = self.key_ids("drop")
        self.assertEqual(len(keys), 1)  # the action really happened
        _, new_keys = self.ctl("GET", "new_keys")
        self.assertEqual([k["key_id"] for k in new_keys], keys)
        entry = self.log()[1]
        self.assertEqual((entry["action"], entry["fault"], entry["status"]),
                         ("CreateAccessKey", "drop_response", None))

    def test_error_500_after_forwards(self):
        self.admin().create_user(UserName="e500")
        self.rules({"action": "CreateAccessKey", "fault": "error_500_after"})
        self.assertClientError(lambda: self.admin().create_access_key(UserName="e500"),
                               "InternalFailure", 500)
        self.rules()
        self.assertEqual(len(self.key_ids("e500")), 1)

    def test_unreadable_200_after_forwarding(self):
        # The key is made upstream, the answer cannot be read by a client.
        for fault in ("html_200_after", "truncated_after"):
            user = "unreadable-" + fault.split("_")[0]
            self.admin().create_user(UserName=user)
            self.rules({"action": "CreateAccessKey", "fault": fault, "times": 1})
            # botocore itself cannot read either (a parse error, or no result element).
            with self.assertRaises((botocore.parsers.ResponseParserError, KeyError)):
                self.admin().create_access_key(UserName=user)
            self.rules()
            self.assertEqual(len(self.key_ids(user)), 1, fault)
            entry = [e for e in self.log() if e["action"] == "CreateAccessKey"][-1]
            self.assertEqual((entry["fault"], entry["status"]), (fault, 200))

    def test_hang(self):
        self.rules({"action": "GetUser", "fault": "hang"})
        t0 = time.monotonic()
        with self.assertRaises(botocore.exceptions.ReadTimeoutError):
            self.admin(read_timeout=1).get_user()
        self.assertLess(time.monotonic() - t0, 5)
        self.admin().list_users()  # server still serves
        self.assertEqual([(e["action"], e["fault"]) for e in self.log()],
                         [("GetUser", "hang"), ("ListUsers", None)])

    def test_hold_and_release(self):
        self.rules({"action": "CreateUser", "fault": "hold"})
        result = {}

        def call():
            try:
                result["user"] = self.admin().create_user(UserName="held")["User"]["UserName"]
            except Exception as e:  # noqa: BLE001
                result["error"] = repr(e)

        t = threading.Thread(target=call, daemon=True)
        t.start()
        held = wait_for(lambda: self.ctl("GET", "held")[1], 5, "held request")
        self.assertEqual(len(held), 1)
        with open(self.log_path + ".held") as f:
            lines = [json.loads(x) for x in f]
        self.assertEqual(lines, [{"held": held[0], "action": "CreateUser"}])
        time.sleep(0.3)
        self.assertTrue(t.is_alive())
        self.assertClientError(lambda: self.admin().get_user(UserName="held"), "NoSuchEntity", 404)
        status, out = self.ctl("POST", "release")
        self.assertEqual(out, {"released": held})
        t.join(5)
        self.assertFalse(t.is_alive())
        self.assertEqual(result, {"user": "held"})
        self.assertEqual(self.ctl("GET", "held")[1], [])
        entry = [e for e in self.log() if e["seq"] == held[0]][0]
        self.assertEqual((entry["status"], entry["fault"]), (200, "hold"))

    def test_hold_after_runs_upstream_before_the_answer_waits(self):
        self.rules({"action": "CreateUser", "fault": "hold_after"})
        result = {}

        def call():
            try:
                result["user"] = self.admin().create_user(UserName="ran")["User"]["UserName"]
            except Exception as e:  # noqa: BLE001
                result["error"] = repr(e)

        t = threading.Thread(target=call, daemon=True)
        t.start()
        held = wait_for(lambda: self.ctl("GET", "held")[1], 5, "held answer")
        # Carried out already: the user exists while the caller still waits.
        self.assertEqual(self.admin().get_user(UserName="ran")["User"]["UserName"], "ran")
        self.assertTrue(t.is_alive())
        self.assertEqual(self.ctl("POST", "release")[1], {"released": held})
        t.join(5)
        self.assertEqual(result, {"user": "ran"})
        entry = [e for e in self.log() if e["seq"] == held[0]][0]
        self.assertEqual((entry["status"], entry["fault"]), (200, "hold_after"))

    def test_delay(self):
        self.rules({"action": "GetUser", "fault": "delay", "ms": 700})
        t0 = time.monotonic()
        self.assertEqual(self.admin().get_user()["User"]["UserName"], "admin")
        self.assertGreaterEqual(time.monotonic() - t0, 0.7)
        self.assertEqual(self.log()[0]["fault"], "delay")

    def test_keepalive_expect_and_disconnects(self):
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", self.proxy_port, timeout=5)
        conn.request("GET", "/__proxy/health")
        r = conn.getresponse()
        self.assertEqual(json.loads(r.read()), {"ok": True})
        sock = conn.sock
        # an AWS request forwarded to moto (which closes its side) on the same connection
        conn.request("POST", "/", body=b"Action=ListUsers&Version=2010-05-08",
                     headers={"Content-Type": "application/x-www-form-urlencoded",
                              "Authorization": "AWS4-HMAC-SHA256 Credential=AKIANOSUCHKEY0000000/"
                              "20250101/us-east-1/iam/aws4_request, SignedHeaders=host, "
                              "Signature=00"})
        r = conn.getresponse()
        self.assertIn(b"<Code>InvalidClientTokenId</Code>", r.read())
        self.assertEqual(r.status, 403)
        self.assertIsNone(r.getheader("Connection"))
        self.assertIs(conn.sock, sock)
        conn.request("GET", "/__proxy/health")
        self.assertEqual(conn.getresponse().status, 200)
        self.assertIs(conn.sock, sock)
        conn.close()

        # Expect: 100-continue
        s = socket.create_connection(("127.0.0.1", self.proxy_port), timeout=5)
        body = b'{"propagation_delay_s": 0}'
        s.sendall(b"POST /__proxy/config HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                  b"Content-Length: %d\r\n\r\n" % len(body))
        self.assertTrue(s.recv(1024).startswith(b"HTTP/1.1 100"))
        s.sendall(body)
        self.assertIn(b"200", s.recv(4096).split(b"\r\n")[0])
        s.close()

        # client vanishes mid-body, and a garbage request: the server survives
        s = socket.create_connection(("127.0.0.1", self.proxy_port), timeout=5)
        s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nAction=Li")
        s.close()
        s = socket.create_connection(("127.0.0.1", self.proxy_port), timeout=5)
        s.sendall(b"\x00\x01garbage\r\n\r\n")
        s.recv(1024)
        s.close()
        self.admin().get_user()

    def test_web_identity_is_signed_for_moto(self):
        import botocore
        sts = boto3.client("sts", endpoint_url=self.proxy_url, region_name="us-east-1",
                           config=Config(signature_version=botocore.UNSIGNED,
                                         retries={"total_max_attempts": 1}))

        def assume():
            return sts.assume_role_with_web_identity(
                RoleArn="arn:aws:iam::123456789012:role/ci", RoleSessionName="ci",
                WebIdentityToken="header.payload.signature")
        # Unsigned, moto under auth cannot answer it (a 500 HTML page).
        with self.assertRaises(Exception):
            assume()
        self.ctl("POST", "config", {"web_identity": {"id": self.admin_key,
                                                     "secret": self.admin_secret}})
        creds = assume()["Credentials"]
        self.assertTrue(creds["AccessKeyId"].startswith("ASIA"), creds["AccessKeyId"])
        entry = [e for e in self.log() if e["action"] == "AssumeRoleWithWebIdentity"][-1]
        self.assertEqual(entry["fault"], "web_identity_signed")
        self.assertEqual(entry["status"], 200)
        self.assertEqual(self.ctl("GET", "config")[1]["web_identity"], {"id": self.admin_key})

    def test_control_api_validation(self):
        self.assertEqual(self.ctl("POST", "rules", [{"fault": "explode"}])[0], 400)
        self.assertEqual(self.ctl("POST", "rules", raw=b"{not json")[0], 400)
        self.assertEqual(self.ctl("POST", "config", {"propagation_delay_s": "x"})[0], 400)
        self.assertEqual(self.ctl("GET", "nope")[0], 404)
        status, cfg = self.ctl("POST", "config", {"propagation_delay_s": 2})
        self.assertEqual(cfg, {"propagation_delay_s": 2.0, "rewrite_errors": True, "backdate_days": {},
                               "mfa": None, "late_resign": None, "web_identity": None})
        self.rules({"fault": "throttle"})
        self.assertClientError(self.admin().get_user, "Throttling", 400)
        self.assertEqual(self.ctl("POST", "reset")[0], 200)
        self.assertEqual(self.log(), [])
        self.assertEqual(self.ctl("GET", "rules")[1], [])
        self.assertEqual(self.ctl("GET", "config")[1],
                         {"propagation_delay_s": 0.0, "rewrite_errors": True, "backdate_days": {},
                               "mfa": None, "late_resign": None, "web_identity": None})
        with open(self.log_path) as f:
            self.assertEqual(f.read(), "")

    def test_signals_exit_promptly(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            p, port, _ = start_proxy(self.moto_url, self.tmp.name, "sig%d" % sig)
            try:
                http("POST", "http://127.0.0.1:%d/__proxy/rules" % port,
                     json.dumps([{"fault": "hang"}]).encode())
                s = socket.create_connection(("127.0.0.1", port), timeout=5)
                s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")  # hangs in the proxy
                time.sleep(0.2)
                t0 = time.monotonic()
                p.send_signal(sig)
                p.wait(5)
                self.assertLess(time.monotonic() - t0, 3)
                s.close()
            finally:
                kill_proc(p)

    def test_zz_no_unhandled_errors_or_secrets(self):
        with open(self.proxy_stderr) as f:
            err = f.read()
        self.assertNotIn("unhandled error", err)
        self.assertNotIn("Traceback", err)
        self.assertNoSecretsLogged()


if __name__ == "__main__":
    unittest.main(verbosity=2)
