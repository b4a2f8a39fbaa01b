# SPDX-License-Identifier: LGPL-2.1-or-later
"""Shared by the Python test programs: "ok/FAIL" checks with a summary,
free port ranges (random, never fixed) and child processes whose output
lines can be waited for, and the runner of a program's tests."""
import queue
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback


class Checks:
    """Prints "ok   - what" or "FAIL - what (detail)"; summary() ends with
    the plain "N passed, N failed" line."""

    def __init__(self):
        self.passed = self.failed = 0

    def __call__(self, what, ok, detail=""):
        print(("ok   - " if ok else "FAIL - ") + what + (f" ({detail})" if detail and not ok else ""),
              flush=True)
        self.passed += bool(ok)
        self.failed += not ok

    def summary(self, suite):
        print(f"{self.passed} passed, {self.failed} failed ({suite})", flush=True)
        return 1 if self.failed else 0


def run_tests(tests, check, suite):
    """Runs @tests (those named on the command line, else all), each as a
    section; a test that raises is one failure, not the end of the program.
    Exits with @check's summary for @suite."""
    for test in tests:
        if len(sys.argv) > 1 and test.__name__ not in sys.argv[1:]:
            continue
        print(f"# {test.__name__}", flush=True)
        try:
            test()
        except Exception as e:
            traceback.print_exc()
            check(f"{test.__name__} ran", False, repr(e))
    sys.exit(check.summary(suite))


def free_range(pairs):
    """(first port, "MIN-MAX") of @pairs even/odd pairs all free now, at a
    random place below the ephemeral ports."""
    for _ in range(200):
        base = 2 * random.randrange(6000, 15000)
        sockets = []
        try:
            for port in range(base, base + 2 * pairs):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                sockets.append(s)
                s.bind(("0.0.0.0", port))
            return base, f"{base}-{base + 2 * pairs - 1}"
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise RuntimeError("no free range")


class Process:
    """A child whose output lines (stdout and stderr) go to a queue and a log."""

    def __init__(self, argv, env=None):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, env=env)
        self.lines = queue.Queue()
        self.log = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.log.append(line.rstrip())
            self.lines.put(line.rstrip())
        self.lines.put(None)

    def wait_for(self, pattern, timeout=20):
        """The first line from now on matching the regex @pattern, or None."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                line = self.lines.get(timeout=max(0.01, end - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                return None
            if re.search(pattern, line):
                return line
        return None

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()
