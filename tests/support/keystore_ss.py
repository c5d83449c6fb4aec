"""Secret Service side of tests/e2e/keystore.rs, run inside dbus-run-session.

Starts gnome-keyring (unlocked), creates collections with gnome-keyring's
CreateWithMasterPassword (no GUI prompt), writes items as aws-vault and
granted write them (python secretstorage), and answers JSON-line requests on
stdin: setup, dump, lock, quit. Every reply is one JSON line on stdout.
"""
import json
import os
import signal
import subprocess
import sys
import time

import secretstorage
from jeepney import DBusAddress, MessageType, new_method_call
from jeepney.io.blocking import open_dbus_connection

BUS = "org.freedesktop.secrets"


def reply(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def call(conn, addr, method, sig, body):
    msg = conn.send_and_get_reply(new_method_call(addr, method, sig, body), timeout=60)
    if msg.header.message_type == MessageType.error:
        raise RuntimeError(f"{method}: {msg.body}")
    return msg.body


def main():
    subprocess.run(
        ["gnome-keyring-daemon", "--unlock", "--components=secrets"],
        input=b"",
        stdout=subprocess.DEVNULL,
        check=True,
    )
    conn = open_dbus_connection("SESSION")
    dbus = DBusAddress("/org/freedesktop/DBus", bus_name="org.freedesktop.DBus",
                       interface="org.freedesktop.DBus")
    # Wait for the service's name on the bus (an event), bounded.
    deadline = time.monotonic() + 60
    while not call(conn, dbus, "NameHasOwner", "s", (BUS,))[0]:
        if time.monotonic() > deadline:
            raise RuntimeError("gnome-keyring never took org.freedesktop.secrets")
        time.sleep(0.05)
    svc = DBusAddress("/org/freedesktop/secrets", bus_name=BUS,
                      interface="org.freedesktop.Secret.Service")
    session = call(conn, svc, "OpenSession", "sv", ("plain", ("s", "")))[1]
    internal = DBusAddress("/org/freedesktop/secrets", bus_name=BUS,
                           interface="org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface")
    ss = secretstorage.dbus_init()
    paths = {}

    def collection(label):
        return secretstorage.Collection(ss, paths[label])

    for line in sys.stdin:
        req = json.loads(line)
        op = req["op"]
        if op == "setup":
            for c in req["collections"]:
                path = call(conn, internal, "CreateWithMasterPassword", "a{sv}(oayays)", (
                    {"org.freedesktop.Secret.Collection.Label": ("s", c["label"])},
                    (session, b"", b"master", "text/plain"),
                ))[0]
                paths[c["label"]] = path
                col = collection(c["label"])
                for it in c["items"]:
                    col.create_item(it["label"], it["attrs"], it["secret"].encode(),
                                    replace=False, content_type="application/json")
            reply({"paths": paths, "bus": os.environ["DBUS_SESSION_BUS_ADDRESS"]})
        elif op == "dump":
            items = []
            for it in collection(req["label"]).get_all_items():
                items.append({
                    "path": it.item_path,
                    "label": it.get_label(),
                    "attrs": it.get_attributes(),
                    "secret": it.get_secret().decode(),
                    "content_type": it.get_secret_content_type(),
                })
            items.sort(key=lambda i: i["path"])
            reply(items)
        elif op == "lock":
            collection(req["label"]).lock()
            reply({"locked": collection(req["label"]).is_locked()})
        elif op == "quit":
            # gnome-keyring daemonizes: stop it, or it outlives the bus.
            pid = call(conn, dbus, "GetConnectionUnixProcessID", "s", (BUS,))[0]
            os.kill(pid, signal.SIGTERM)
            reply({})
            return
        else:
            raise RuntimeError(f"unknown op {op}")


if __name__ == "__main__":
    main()
