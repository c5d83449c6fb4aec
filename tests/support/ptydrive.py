#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal and answers a prompt (test support for keyturn).

Usage: ptydrive.py PROMPT ANSWER TIMEOUT_S -- COMMAND [ARGS...]

The command gets the pty as stdin, stdout and stderr. Every time its output shows PROMPT
(a new occurrence, counted from the output read so far), ANSWER and a newline are typed.
Waits on output and on the child's exit, never on a clock, except the overall TIMEOUT_S bound
(the child is killed and the run fails past it). Prints JSON: {"rc": exit code, "prompts": n}
and nothing of the output itself (it could hold key ids; the prompt text is matched only).
"""

import json
import os
import pty
import select
import signal
import sys
import time


def main(argv):
    prompt, answer, timeout = argv[1].encode(), argv[2].encode(), float(argv[3])
    if argv[4] != "--":
        raise SystemExit("usage: ptydrive.py PROMPT ANSWER TIMEOUT_S -- COMMAND [ARGS...]")
    cmd = argv[5:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    out = b""
    answered = 0
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise SystemExit("ptydrive: timed out after %ss (prompts seen: %d)"
                             % (timeout, out.count(prompt)))
        r, _, _ = select.select([fd], [], [], min(left, 1.0))
        if not r:
            continue
        try:
            data = os.read(fd, 4096)
        except OSError:  # EIO: the child closed the pty
            data = b""
        if not data:
            break
        out += data
        while out.count(prompt) > answered:
            os.write(fd, answer + b"\n")
            answered += 1
    _, status = os.waitpid(pid, 0)
    print(json.dumps({"rc": os.waitstatus_to_exitcode(status), "prompts": answered}))


if __name__ == "__main__":
    main(sys.argv)
