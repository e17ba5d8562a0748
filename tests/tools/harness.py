# harness.py: what the scripts that drive the msrp tool share: failing
# with a message, reading a process's lines with a deadline, `msrp relay` in
# the background, and running the test that the command line names.
# Standard library only.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import queue
import re
import signal
import subprocess
import sys
import threading

# Each script sets its own before it starts anything.
TIMEOUT = 30
MSRP = None


def fail(message):
    print('FAIL: ' + message, file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


class Lines:
    """A stream's lines through a queue filled by a thread, so that every
    wait for a line is bounded; None comes after the last one."""

    def __init__(self, stream, strip='\n'):
        self.queue = queue.Queue()
        threading.Thread(target=self._read, args=(stream, strip), daemon=True).start()

    def _read(self, stream, strip):
        for line in stream:
            self.queue.put(line.rstrip(strip))
        self.queue.put(None)

    def get(self, what, process=None, timeout=None):
        """The next line, or None at the end; fails saying @what did not
        come (and kills @process) when none comes in time."""
        try:
            return self.queue.get(timeout=TIMEOUT if timeout is None else timeout)
        except queue.Empty:
            if process is not None:
                process.kill()
            fail('%s within %d s' % (what, TIMEOUT if timeout is None else timeout))


def wait_exit(name, process, code=0):
    """Waits for @process to exit with @code; returns its stderr."""
    try:
        rc = process.wait(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        fail('%s did not exit within %d s' % (name, TIMEOUT))
    stderr = process.stderr.read()
    check(rc == code, '%s exited with %d, not %d: %s' % (name, rc, code, stderr))
    return stderr


class Relay:
    """msrp relay in the background: its URI (and host, port, tls), its
    fingerprint line with --tls, its WebSocket URI with --ws-port."""

    def __init__(self, *args):
        self.process = subprocess.Popen([MSRP, 'relay', *args],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines = Lines(self.process.stdout, strip='\r\n')
        self.uri = self.lines.get('msrp relay printed no URI', self.process)
        match = re.fullmatch(r'(msrps?)://(127\.0\.0\.1):(\d+);tcp', self.uri or '')
        check(match is not None, 'not a relay URI: %r' % self.uri)
        self.tls = match.group(1) == 'msrps'
        self.host = match.group(2)
        self.port = int(match.group(3))
        self.fingerprint = None
        self.ws_uri = None
        if '--tls' in args or '--tls-certificate' in args:
            self.fingerprint = self.lines.get('msrp relay --tls printed no fingerprint', self.process)
            check(self.fingerprint is not None and
                  re.fullmatch(r'a=fingerprint:sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}', self.fingerprint),
                  'not a fingerprint line: %r' % self.fingerprint)
        if '--ws-port' in args:
            self.ws_uri = self.lines.get('msrp relay --ws-port printed no WebSocket URI', self.process)
            check(self.ws_uri is not None and re.fullmatch(r'msrp://127\.0\.0\.1:\d+;ws', self.ws_uri),
                  'not a WebSocket relay URI: %r' % self.ws_uri)

    def stop(self):
        """SIGTERM; the relay must exit with 0. Returns what else it printed."""
        self.process.send_signal(signal.SIGTERM)
        try:
            rc = self.process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            fail('msrp relay did not stop on SIGTERM')
        check(rc == 0, 'msrp relay exited with %d: %s' % (rc, self.process.stderr.read()))
        rest = []
        while (line := self.lines.get('msrp relay did not close its output')) is not None:
            rest.append(line)
        return rest


def parse_args(script, tests):
    """SCRIPT MSRP TEST: sets MSRP, and returns it with the test to run."""
    global MSRP
    if len(sys.argv) != 3 or sys.argv[2] not in tests:
        sys.exit('usage: %s MSRP {%s}' % (script, ','.join(tests)))
    MSRP = sys.argv[1]
    return MSRP, tests[sys.argv[2]]
