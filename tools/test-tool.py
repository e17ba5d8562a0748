#!/usr/bin/env python3
# test-tool.py: drives the msrp tool as a user would and checks what it prints.
#
#   test-tool.py MSRP send-listen       listen --count 3; send once, then --count 2
#   test-tool.py MSRP send-file         a file above max-message-size (hashed by chunks)
#   test-tool.py MSRP send-listen-tls   listen --tls; send with the fingerprint
#   test-tool.py MSRP errors            one-line errors and exit codes
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import hashlib
import os
import queue
import re
import subprocess
import sys
import tempfile
import threading

TIMEOUT = 60
MSRP = None


def fail(message):
    print('FAIL: ' + message, file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


class Listener:
    """msrp listen in the background; its stdout lines come through a queue,
    so that every wait is bounded."""

    def __init__(self, *args):
        self.process = subprocess.Popen([MSRP, 'listen', *args],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True)
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line.rstrip('\n'))
        self.lines.put(None)

    def line(self):
        try:
            line = self.lines.get(timeout=TIMEOUT)
        except queue.Empty:
            self.process.kill()
            fail('msrp listen printed nothing within %d s' % TIMEOUT)
        if line is None:
            fail('msrp listen ended early: ' + self.process.stderr.read())
        return line

    def path(self):
        line = self.line()
        check(re.fullmatch(r'a=path:msrps?://127\.0\.0\.1:\d+/[A-Za-z0-9]+;tcp', line),
              'unexpected first line: %r' % line)
        return line[len('a=path:'):]

    def wait(self):
        try:
            rc = self.process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            fail('msrp listen did not exit within %d s' % TIMEOUT)
        stderr = self.process.stderr.read()
        check(rc == 0, 'msrp listen exited with %d: %s' % (rc, stderr))
        check(stderr == '', 'msrp listen wrote to stderr: %r' % stderr)

    def kill(self):
        self.process.kill()
        self.process.wait()


def msrp(*args):
    try:
        return subprocess.run([MSRP, *args], capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        fail('msrp %s did not exit within %d s' % (' '.join(args), TIMEOUT))


def send_ok(*args):
    result = msrp('send', *args)
    check(result.returncode == 0,
          'msrp send %s exited with %d: %s' % (' '.join(args), result.returncode, result.stderr))
    check(result.stdout == '', 'msrp send wrote to stdout: %r' % result.stdout)
    check(re.fullmatch(r'sent \d+ (messages?|file), \d+ bytes in [0-9.]+ m?s: .*MB/s\n', result.stderr),
          'unexpected summary: %r' % result.stderr)
    return result


def check_message(line, content_type, data):
    fields = line.split(' ')
    check(len(fields) == 4, 'not "<message-id> <content-type> <size> <sha256>": %r' % line)
    message_id, got_type, size, sha256 = fields
    check(re.fullmatch(r'[A-Za-z0-9][A-Za-z0-9.+%=-]{3,31}', message_id), 'bad Message-ID in %r' % line)
    check(got_type == content_type, 'content type %r, not %r' % (got_type, content_type))
    check(size == str(len(data)), 'size %s, not %d' % (size, len(data)))
    check(sha256 == hashlib.sha256(data).hexdigest(), 'wrong sha256 in %r' % line)
    return message_id


def test_send_listen():
    listener = Listener('--count', '3')
    path = listener.path()
    # Two sessions one after the other on the same path: the path stays valid.
    result = send_ok('--to', path, 'hello')
    check(result.stderr.startswith('sent 1 message, 5 bytes'), 'summary: %r' % result.stderr)
    result = send_ok('--to', 'a=path:' + path, '--count', '2', '--window', '2', 'hello')
    check(result.stderr.startswith('sent 2 messages, 10 bytes'), 'summary: %r' % result.stderr)
    ids = {check_message(listener.line(), 'text/plain', b'hello') for _ in range(3)}
    check(len(ids) == 3, 'Message-IDs repeat: %r' % ids)
    listener.wait()
    check(listener.lines.get(timeout=TIMEOUT) is None, 'msrp listen printed more lines')


def test_send_file():
    with tempfile.TemporaryDirectory() as directory:
        # Above max-message-size (16 MiB): the listener hashes it chunk by chunk.
        data = (bytes(range(256)) * 4099)[:1000003] * 17
        name = os.path.join(directory, 'data.bin')
        with open(name, 'wb') as f:
            f.write(data)
        listener = Listener('--count', '2')
        path = listener.path()
        send_ok('--to', path, '--file', name, '--content-type', 'application/x-test')
        check_message(listener.line(), 'application/x-test', data)
        # Smaller chunks, and the success REPORT waited for.
        send_ok('--to', path, '--file', name, '--chunk-size', '5K', '--success-report')
        check_message(listener.line(), 'application/octet-stream', data)
        listener.wait()


def test_send_listen_tls():
    listener = Listener('--tls', '--count', '1')
    path = listener.path()
    check(path.startswith('msrps://'), 'not an msrps: path: ' + path)
    line = listener.line()
    check(re.fullmatch(r'a=fingerprint:sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}', line),
          'unexpected second line: %r' % line)
    # A wrong fingerprint fails in one line, and the listener goes on.
    wrong = 'sha-256 ' + ':'.join(['00'] * 32)
    result = msrp('send', '--to', path, '--fingerprint', wrong, 'hi')
    check_one_line_error(result, 1, 'wrong fingerprint')
    send_ok('--to', path, '--fingerprint', line, '--success-report', 'secret')
    check_message(listener.line(), 'text/plain', b'secret')
    listener.wait()


def check_one_line_error(result, code, what):
    check(result.returncode == code if code else result.returncode != 0,
          '%s: exit status %d, expected %s' % (what, result.returncode, code or 'non-zero'))
    check(result.stdout == '', '%s: printed %r on stdout' % (what, result.stdout))
    check(re.fullmatch(r'msrp: [^\n]+\n', result.stderr), '%s: not a one-line error: %r' % (what, result.stderr))


def test_errors():
    cases = [
        ('unreachable peer', 1, ['send', '--to', 'msrp://127.0.0.1:1/x;tcp', 'hi'], 'connect'),
        ('bad path', 2, ['send', '--to', 'http://example.com/', 'hi'], 'URI'),
        ('unknown command', 2, ['frobnicate'], 'unknown command'),
        ('missing --to', 2, ['send', 'hi'], '--to'),
        ('unknown option', 2, ['listen', '--bogus'], '--bogus'),
        ('bad size', 2, ['send', '--to', 'msrp://127.0.0.1:1/x;tcp', '--size', '12Q'], '12Q'),
        ('missing file', 1, ['send', '--to', 'msrp://127.0.0.1:1/x;tcp', '--file', '/nonexistent/x'], 'nonexistent'),
        ('TEXT and --size', 2, ['send', '--to', 'msrp://127.0.0.1:1/x;tcp', '--size', '1', 'hi'], 'only one'),
        ('--tls without msrps', 2, ['send', '--to', 'msrp://127.0.0.1:1/x;tcp', '--tls', 'hi'], 'msrps'),
        ('port out of range', 2, ['listen', '--port', '70000'], '--port'),
    ]
    for what, code, args, needle in cases:
        result = msrp(*args)
        check_one_line_error(result, code, what)
        check(needle.lower() in result.stderr.lower(), '%s: %r does not mention %r' % (what, result.stderr, needle))

    # No peer binds within the response: the peer's 481 is the error.
    listener = Listener()
    path = listener.path()
    result = msrp('send', '--to', re.sub(r'/[A-Za-z0-9]+;tcp$', '/nosuchsession;tcp', path), 'hi')
    check_one_line_error(result, 1, 'unknown session')
    listener.kill()

    for args in (['--help'], ['help', 'send'], ['listen', '--help'], ['bench', '--help']):
        result = msrp(*args)
        check(result.returncode == 0 and 'Examples:' in result.stdout,
              'msrp %s: %d %r' % (' '.join(args), result.returncode, result.stdout))
    result = msrp()
    check(result.returncode == 2 and 'Usage:' in result.stderr, 'msrp without a command: %r' % (result,))


TESTS = {
    'send-listen': test_send_listen,
    'send-file': test_send_file,
    'send-listen-tls': test_send_listen_tls,
    'errors': test_errors,
}

if __name__ == '__main__':
    if len(sys.argv) != 3 or sys.argv[2] not in TESTS:
        sys.exit('usage: test-tool.py MSRP {%s}' % ','.join(TESTS))
    MSRP = sys.argv[1]
    TESTS[sys.argv[2]]()
    print('PASS: ' + sys.argv[2])
