#!/usr/bin/env python3
"""The Windows test run (issue 22), under Wine, called by scripts/windows.

Runs the Windows build of the library's platform unit tests, then an
end-to-end subset: the real keyturn.exe against moto (IAM auth on) through
the fault proxy (tests/support/), on 127.0.0.1 only, with the credentials
file in the Wine user's profile (%USERPROFILE%\\.aws), checked with
botocore. Ends with exactly one line `N passed, N failed`.

Environment (set by scripts/windows): KEYTURN_WINE (wine64), WINEPREFIX,
KEYTURN_EXE (keyturn.exe), KEYTURN_LIB_TESTS (the lib's test .exe),
KEYTURN_WINTEST_EXE (tests/windows/wintest.c built).
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import traceback

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SUPPORT = os.path.join(REPO, "tests", "support")
WINE = os.environ["KEYTURN_WINE"]
PREFIX = os.environ["WINEPREFIX"]
EXE = os.environ["KEYTURN_EXE"]
LIB_TESTS = os.environ["KEYTURN_LIB_TESTS"]
WINTEST = os.environ["KEYTURN_WINTEST_EXE"]
PY = sys.executable

results = []  # (name, ok, detail)


def wine(args, env=None, timeout=300, cwd=None):
    """Runs a Windows program under Wine; (code, stdout, stderr)."""
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run([WINE] + args, env=e, capture_output=True, timeout=timeout, cwd=cwd)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def winpath(unix):
    """Wine's name for a Unix path: the C: drive for the prefix, Z: otherwise."""
    drive_c = os.path.join(PREFIX, "drive_c")
    if unix.startswith(drive_c + "/"):
        return "C:" + unix[len(drive_c):].replace("/", "\\")
    return "Z:" + unix.replace("/", "\\")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(what, check, secs=120):
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"{what} did not happen within {secs} s")


class Sandbox:
    """moto with IAM auth from the first request, the fault proxy in front."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="keyturn-win-")
        self.moto_port = free_port()
        self.moto = subprocess.Popen(
            [PY, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.moto_port)],
            env=dict(os.environ, INITIAL_NO_AUTH_ACTION_COUNT="0"),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def listening():
            try:
                socket.create_connection(("127.0.0.1", self.moto_port), 1).close()
                return True
            except OSError:
                assert self.moto.poll() is None, "moto exited early"
                return False

        wait_for("moto listening", listening)
        port_file = os.path.join(self.dir, "proxy.port")
        self.proxy = subprocess.Popen(
            [PY, os.path.join(SUPPORT, "faultproxy.py"), "--upstream", self.moto_url(),
             "--port-file", port_file, "--log", os.path.join(self.dir, "proxy.log"),
             "--parent-pid", str(os.getpid())],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for("proxy port file", lambda: os.path.exists(port_file)
                 and open(port_file).read().strip().isdigit())
        self.proxy_port = int(open(port_file).read().strip())
        a = self.awsctl("admin", "--endpoint", self.moto_url())
        self.admin = (a["id"], a["secret"])

    def close(self):
        for p in (self.proxy, self.moto):
            p.kill()
            p.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def moto_url(self):
        return f"http://127.0.0.1:{self.moto_port}"

    def awsctl(self, *args):
        out = subprocess.run([PY, os.path.join(SUPPORT, "awsctl.py")] + list(args),
                             capture_output=True, check=True)
        return json.loads(out.stdout)

    def admin_args(self, cmd, name):
        return [cmd, "--endpoint", self.moto_url(), "--admin-id", self.admin[0],
                "--admin-secret", self.admin[1], "--name", name]

    def user(self, name):
        k = self.awsctl(*self.admin_args("user", name), "--keys", "1")[0]
        return k["id"], k["secret"]

    def keys_of(self, name):
        return [(k["id"], k["status"]) for k in self.awsctl(*self.admin_args("keys", name))]

    def works(self, kid, secret):
        return self.awsctl("whoami", "--endpoint", self.moto_url(), "--id", kid,
                           "--secret", secret)["ok"]

    def profiles(self, creds, config):
        return self.awsctl("profiles", "--credentials-file", creds, "--config-file", config)

    def creates(self):
        with open(os.path.join(self.dir, "proxy.log")) as f:
            return sum(1 for line in f if json.loads(line).get("action") == "CreateAccessKey")

    def keyturn(self, args, env=None):
        e = {
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{self.proxy_port}",
            "AWS_EC2_METADATA_DISABLED": "true",
            "NO_PROXY": "127.0.0.1,localhost",
            "NO_COLOR": "1",
        }
        e.update(env or {})
        return wine([EXE] + args, env=e)


def profile_dir():
    """The Wine user's %USERPROFILE% (C:\\users\\<user>), as a Unix path."""
    users = os.path.join(PREFIX, "drive_c", "users")
    names = [n for n in os.listdir(users) if n.lower() not in ("public",)]
    assert len(names) == 1, names
    return os.path.join(users, names[0])


def fresh_aws():
    """An empty %USERPROFILE%\\.aws for one test."""
    aws = os.path.join(profile_dir(), ".aws")
    shutil.rmtree(aws, ignore_errors=True)
    os.makedirs(aws)
    return aws


def acl(*args):
    code, out, err = wine([WINTEST] + list(args))
    assert code == 0, f"wintest {args}: {err}"
    return out.strip()


def cred_set(target, blob):
    """Stores a generic credential in Wine's Credential Manager (blob on stdin)."""
    e = dict(os.environ)
    p = subprocess.run([WINE, WINTEST, "cred-set", target], input=blob, env=e,
                       capture_output=True, timeout=300)
    assert p.returncode == 0, p.stderr


def cred_get(target):
    """(blob, comment) of a generic credential, None if there is none."""
    p = subprocess.run([WINE, WINTEST, "cred-get", target], env=dict(os.environ),
                       capture_output=True, timeout=300)
    if p.returncode == 3:
        return None
    assert p.returncode == 0, p.stderr
    return p.stdout, p.stderr.decode("utf-8", "replace").strip()


def cred_list(filt):
    code, out, err = wine([WINTEST, "cred-list", filt])
    assert code == 0, err
    return sorted(out.split())


def crlf_file(kid, secret):
    return ("# work keys\r\n[other]\r\naws_access_key_id = AKIAOTHEROTHEROTHER1\r\n"
            "aws_secret_access_key = othersecret\r\n\r\n[work]\r\n"
            f"aws_access_key_id={kid}\r\naws_secret_access_key = {secret}   \r\n"
            "region = eu-west-1\r\n; trailing comment\r\n")


def new_secret_of(text):
    m = re.search(r"\[work\]\r\naws_access_key_id=(\S+)\r\naws_secret_access_key = (\S+)   \r\n", text)
    assert m, text
    return m.group(1), m.group(2)


def leftovers(aws):
    """Files a run must not leave: journals and temp files anywhere under .aws."""
    bad = []
    for root, _dirs, files in os.walk(aws):
        for f in files:
            rel = os.path.relpath(os.path.join(root, f), aws)
            if f.endswith(".tmp") or rel.startswith(os.path.join(".keyturn", "journal")):
                bad.append(rel)
    return bad


# ---- the tests --------------------------------------------------------------

def test_rotate_crlf_file_keeps_bytes_and_acl(sb):
    aws = fresh_aws()
    creds = os.path.join(aws, "credentials")
    old = sb.user("alice")
    before = crlf_file(*old)
    with open(creds, "wb") as f:
        f.write(before.encode())
    # Users may read it too (Wine keeps a DACL as Unix mode bits: this is
    # the richest DACL it can hold).
    me = acl("me")
    acl("set", winpath(creds), f"D:P(A;;FA;;;{me})(A;;FR;;;BU)")
    dacl_before = acl("get", winpath(creds))
    code, out, err = sb.keyturn(["rotate", "work"])
    assert code == 0, f"exit {code}\n{out}\n{err}"
    assert old[1] not in out + err, "secret echoed"
    keys = sb.keys_of("alice")
    assert len(keys) == 1 and keys[0][0] != old[0], keys
    after = open(creds, "rb").read().decode()
    kid, secret = new_secret_of(after)
    assert kid == keys[0][0]
    assert after == before.replace(old[0], kid).replace(old[1], secret), "only the two values change"
    assert secret not in out + err
    assert sb.works(kid, secret), "the new key works"
    assert not sb.works(*old), "the old key is gone"
    p = sb.profiles(creds, os.path.join(aws, "config"))
    assert p["work"]["creds"][0] == kid and p["other"]["creds"][0] == "AKIAOTHEROTHEROTHER1", p
    assert acl("get", winpath(creds)) == dacl_before, "the credentials file keeps its DACL"
    assert leftovers(aws) == [], leftovers(aws)


def test_aws_shared_credentials_file_is_honoured(sb):
    fresh_aws()
    elsewhere = tempfile.mkdtemp(prefix="keyturn-win-creds-")
    creds = os.path.join(elsewhere, "creds.ini")
    old = sb.user("bob")
    before = crlf_file(*old)
    with open(creds, "wb") as f:
        f.write(before.encode())
    code, out, err = sb.keyturn(["rotate", "work"], {"AWS_SHARED_CREDENTIALS_FILE": winpath(creds)})
    assert code == 0, f"exit {code}\n{out}\n{err}"
    after = open(creds, "rb").read().decode()
    kid, secret = new_secret_of(after)
    assert sb.works(kid, secret)
    assert leftovers(elsewhere) == [], leftovers(elsewhere)
    shutil.rmtree(elsewhere)


def test_status_reads_the_profile(sb):
    aws = fresh_aws()
    old = sb.user("carol")
    with open(os.path.join(aws, "credentials"), "wb") as f:
        f.write(crlf_file(*old).encode())
    code, out, err = sb.keyturn(["status", "--offline", "--output", "json"])
    assert code == 0, f"exit {code}\n{out}\n{err}"
    doc = json.loads(out)
    text = json.dumps(doc)
    assert "work" in text and "other" in text, text
    assert old[1] not in out + err


def test_recover_after_a_killed_run(sb):
    aws = fresh_aws()
    creds = os.path.join(aws, "credentials")
    old = sb.user("dave")
    before = crlf_file(*old)
    with open(creds, "wb") as f:
        f.write(before.encode())
    # Aborted (as by a kill) once the new key exists and the journal holds it.
    code, out, err = sb.keyturn(["rotate", "work"], {"KEYTURN_FAILPOINT": "after-journal-created"})
    assert code not in (0, 1, 2, 3, 4, 5), f"should have died: {code}\n{out}\n{err}"
    assert os.listdir(os.path.join(aws, ".keyturn", "journal")), "a journal was left to finish from"
    created = sb.creates()
    code, out, err = sb.keyturn(["rotate", "work"])
    assert code == 0, f"exit {code}\n{out}\n{err}"
    assert "finishing an interrupted rotation" in out, out
    assert sb.creates() == created, "the rerun finished the same rotation"
    keys = sb.keys_of("dave")
    assert len(keys) == 1 and keys[0][0] != old[0], keys
    after = open(creds, "rb").read().decode()
    kid, secret = new_secret_of(after)
    assert kid == keys[0][0] and sb.works(kid, secret)
    assert after == before.replace(old[0], kid).replace(old[1], secret)
    assert leftovers(aws) == [], leftovers(aws)


def test_a_state_folder_others_may_write_is_refused(sb):
    aws = fresh_aws()
    creds = os.path.join(aws, "credentials")
    old = sb.user("erin")
    before = crlf_file(*old)
    with open(creds, "wb") as f:
        f.write(before.encode())
    planted = os.path.join(aws, ".keyturn")
    os.makedirs(planted)
    acl("set", winpath(planted), f"D:P(A;OICI;FA;;;{acl('me')})(A;OICI;FA;;;WD)")
    code, out, err = sb.keyturn(["rotate", "work"])
    assert code == 3, f"refused with 3, got {code}\n{out}\n{err}"
    assert ".keyturn" in out + err, out + err
    assert open(creds, "rb").read().decode() == before, "nothing changed"
    assert sb.keys_of("erin") == [(old[0], "Active")], sb.keys_of("erin")
    assert os.listdir(planted) == [], "nothing created inside"


def test_schedule_writes_a_task_xml_and_removes_it(sb):
    fresh_aws()
    appdata = os.path.join(profile_dir(), "AppData", "Roaming")
    xml_path = os.path.join(appdata, "keyturn", "keyturn-rotate.xml")
    if os.path.exists(xml_path):
        os.remove(xml_path)
    code, out, err = sb.keyturn(["schedule", "install", "--every", "30d", "work", "dev & <x>"])
    assert code == 0, f"exit {code}\n{out}\n{err}"
    raw = open(xml_path, "rb").read()
    assert raw[:2] == b"\xff\xfe", "UTF-16 LE with a BOM, as Task Scheduler writes tasks"
    xml = raw[2:].decode("utf-16-le")
    assert "<LogonType>InteractiveToken</LogonType>" in xml, xml
    assert "<Arguments>rotate --max-age 30d work &quot;dev &amp; &lt;x&gt;&quot;</Arguments>" in xml, xml
    assert "keyturn.exe</Command>" in xml, xml
    assert "schtasks /Create /TN keyturn-rotate /XML" in out, out
    # The XML is what Task Scheduler parses: Wine's schtasks registers it.
    code, out2, err2 = wine(["schtasks", "/Create", "/TN", "keyturn-rotate", "/XML", winpath(xml_path), "/F"])
    assert code == 0, f"schtasks /Create: {code}\n{out2}\n{err2}"
    code, out, err = sb.keyturn(["schedule", "show", "--output", "json"])
    assert code == 0, f"exit {code}\n{out}\n{err}"
    shown = json.loads(out)
    assert shown[0]["backend"] == "task-scheduler", shown
    assert shown[0]["command"].endswith('rotate --max-age 30d work "dev & <x>"'), shown
    code, out, err = sb.keyturn(["schedule", "remove", "--disable"])
    assert code == 0, f"exit {code}\n{out}\n{err}"
    assert not os.path.exists(xml_path)
    code, out, err = sb.keyturn(["schedule", "install", "--every", "30d", "--logged-off", "work"])
    assert code == 0, f"exit {code}\n{out}\n{err}"
    assert "<LogonType>S4U</LogonType>" in open(xml_path, "rb").read()[2:].decode("utf-16-le")
    code, out, err = sb.keyturn(["schedule", "remove"])
    assert code == 0 and "schtasks /Delete /TN keyturn-rotate /F" in out, out


def test_aws_vault_wincred_item_is_rotated_in_place(sb):
    aws = fresh_aws()
    with open(os.path.join(aws, "config"), "wb") as f:
        f.write(b"[profile vault]\r\nregion = us-east-1\r\n")
    old = sb.user("vera")
    data = json.dumps({"AccessKeyID": old[0], "SecretAccessKey": old[1], "SessionToken": "",
                       "Source": "", "CanExpire": False,
                       "Expires": "0001-01-01T00:00:00Z"}, separators=(",", ":")).encode()
    target = "aws-vault:aws-vault:vault"
    cred_set(target, data)
    # A cached session of the profile, which must go after a rotation, and
    # another profile's item, which must stay.
    cred_set("aws-vault:aws-vault:other", b'{"AccessKeyID":"AKIAOTHEROTHEROTHER1"}')
    code, out, err = sb.keyturn(["rotate", "vault", "--store", "aws-vault"])
    assert code == 0, f"exit {code}\n{out}\n{err}"
    assert old[1] not in out + err
    blob, comment = cred_get(target)
    item = json.loads(blob)
    keys = sb.keys_of("vera")
    assert len(keys) == 1 and keys[0][0] == item["AccessKeyID"] != old[0], (keys, item["AccessKeyID"])
    assert item["SecretAccessKey"] not in out + err
    assert sb.works(item["AccessKeyID"], item["SecretAccessKey"]), "the new key works"
    assert not sb.works(*old)
    assert item["CanExpire"] is False and item["SessionToken"] == "", item
    assert comment == "comment: written by the keyturn Windows test run", "only the blob changed"
    assert cred_get("aws-vault:aws-vault:other")[0] == b'{"AccessKeyID":"AKIAOTHEROTHEROTHER1"}'
    assert leftovers(aws) == [], leftovers(aws)


TESTS = [
    test_rotate_crlf_file_keeps_bytes_and_acl,
    test_aws_shared_credentials_file_is_honoured,
    test_status_reads_the_profile,
    test_recover_after_a_killed_run,
    test_a_state_folder_others_may_write_is_refused,
    test_schedule_writes_a_task_xml_and_removes_it,
    test_aws_vault_wincred_item_is_rotated_in_place,
]


def run_unit_tests():
    """The lib's unit tests built for Windows (the platform module), each
    one counted."""
    if not os.path.isfile(LIB_TESTS):
        results.append(("unit test binary", False, f"not built: {LIB_TESTS!r}"))
        print(f"unit test binary: FAILED (not built: {LIB_TESTS!r})", flush=True)
        return
    # Only the Windows-specific modules: the rest of the lib's tests are the
    # platform-independent logic the Linux suite already runs.
    # Not run under Wine: Wine 8's CreateSymbolicLinkW reports success and
    # creates nothing (the test's lstat of the new link finds no file), so
    # the reparse-point refusal can be checked only on a real Windows.
    # Nor the folder made private again: Wine keeps a DACL as Unix mode bits,
    # and on the prefix's drive a folder at 0777 given the DACL "only me"
    # (SetNamedSecurityInfoW, protected) ends at 0775, Everyone still
    # reading; the same call from tests/windows/wintest.c ends the same, so
    # it is Wine's mapping, not keyturn's call. (Wine does report the
    # folder's Everyone-write: a_folder_others_may_write_is_reported runs.)
    not_under_wine = {
        "platform::windows::tests::reparse_points_are_refused_not_followed":
            "no symbolic links in Wine 8",
        "platform::windows::tests::a_folder_others_may_write_is_made_private":
            "Wine keeps Everyone's read bits when a DACL drops Everyone",
    }
    skips = [a for t in not_under_wine for a in ("--skip", t)]
    for t, why in not_under_wine.items():
        print(f"unit {t}: not run under Wine ({why})", flush=True)
    code, out, err = wine([LIB_TESTS, "platform::", "keystore::wincred", "--test-threads=1"]
                          + skips, timeout=600)
    seen = 0
    for line in out.splitlines():
        m = re.match(r"^test (\S+) \.\.\. (ok|FAILED|ignored)$", line)
        if m:
            seen += 1
            results.append((f"unit {m.group(1)}", m.group(2) == "ok", ""))
            print(f"unit {m.group(1)}: {m.group(2)}", flush=True)
    # A failing test is already counted; the binary itself failing (a
    # crash, no test seen) is one more failure.
    if seen == 0 or (code != 0 and not any(not ok for n, ok, _ in results if n.startswith("unit "))):
        results.append(("unit test binary", False, f"exit {code}\n{out[-4000:]}\n{err[-4000:]}"))
        print(out[-4000:], err[-4000:], sep="\n")


def main():
    wineserver = os.path.join(os.path.dirname(WINE), "wineserver")
    # One wineserver for the whole run: each wine start is then quick.
    subprocess.run([wineserver, "-p"], check=False)
    # Wine's services (winedevice.exe) start with the first program and
    # would inherit its output pipes, so a later `communicate` never saw
    # them close: start them here with no pipes at all.
    subprocess.run([WINE, "cmd", "/c", "exit"], stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    try:
        run_unit_tests()
        sb = Sandbox()
        try:
            for t in TESTS:
                name = t.__name__
                try:
                    t(sb)
                    results.append((name, True, ""))
                    print(f"{name}: ok", flush=True)
                except Exception:  # noqa: BLE001 - every failure is reported
                    results.append((name, False, traceback.format_exc()))
                    print(f"{name}: FAILED\n{traceback.format_exc()}", flush=True)
        finally:
            sb.close()
    finally:
        subprocess.run([wineserver, "-k"], check=False)
    passed = sum(1 for _, ok, _ in results if ok)
    failed = len(results) - passed
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
