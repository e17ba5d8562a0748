#!/usr/bin/env python3
# test-tool.py: drives the msrp tool as a user would and checks what it prints.
#
#   test-tool.py MSRP send-listen       listen --count 3; send once, then --count 2
#   test-tool.py MSRP send-file         a file above max-message-size (hashed by chunks)
#   test-tool.py MSRP send-stream       send --file - (standard input), /dev/stdin and
#                                       /proc files: streams of unknown size
#   test-tool.py MSRP listen-text       listen shows text messages as text, others and
#                                       --format=summary as summary lines
#   test-tool.py MSRP tls-refused       send to a TLS peer that refuses its certificate
#   test-tool.py MSRP send-listen-tls   listen --tls; send with the fingerprint
#   test-tool.py MSRP errors            one-line errors and exit codes
#   test-tool.py MSRP through-relay     listen --relay and send --relay through
#                                       `msrp relay` (TCP and TLS), and its errors
#   test-tool.py MSRP demo              msrp demo: exit 0 and the transcript's steps
#   test-tool.py MSRP kamailio          listen --relay and send --relay through Kamailio
#                                       (run by tests/relay/with-kamailio)
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import hashlib
import os
import re
import subprocess
import sys
import tempfile

import harness
from harness import Relay, check, fail

TIMEOUT = harness.TIMEOUT = 60
MSRP = None


class Listener:
    """msrp listen in the background; its stdout lines come through a queue,
    so that every wait is bounded."""

    def __init__(self, *args):
        self.process = subprocess.Popen([MSRP, 'listen', *args],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True)
        self.lines = harness.Lines(self.process.stdout)

    def line(self):
        line = self.lines.get('msrp listen printed nothing', self.process)
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
    check(re.fullmatch(r'sent \d+ (messages?|file), \d+ bytes in [0-9.]+ m?s: .*MiB/s'
                       r'(, success REPORTs? received)?\n', result.stderr),
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
    listener = Listener('--count', '3', '--format', 'summary')
    path = listener.path()
    # Two sessions one after the other on the same path: the path stays valid.
    result = send_ok('--to', path, 'hello')
    check(result.stderr.startswith('sent 1 message, 5 bytes'), 'summary: %r' % result.stderr)
    result = send_ok('--to', 'a=path:' + path, '--count', '2', '--window', '2', 'hello')
    check(result.stderr.startswith('sent 2 messages, 10 bytes'), 'summary: %r' % result.stderr)
    ids = {check_message(listener.line(), 'text/plain', b'hello') for _ in range(3)}
    check(len(ids) == 3, 'Message-IDs repeat: %r' % ids)
    listener.wait()
    check(listener.lines.get('msrp listen did not end its output') is None, 'msrp listen printed more lines')


def test_send_file():
    with tempfile.TemporaryDirectory() as directory:
        # Above max-message-size (16 MiB): the listener hashes it chunk by chunk.
        data = (bytes(range(256)) * 4099)[:1000003] * 17
        name = os.path.join(directory, 'data.bin')
        with open(name, 'wb') as f:
            f.write(data)
        listener = Listener('--count', '2')
        path = listener.path()
        result = send_ok('--to', path, '--file', name, '--content-type', 'application/x-test')
        # Not a terminal: no progress bar, one summary line.
        check(re.fullmatch(r'sent 1 file, %d bytes in [0-9.]+ s: [0-9.]+ MiB/s\n' % len(data), result.stderr),
              'file summary: %r' % result.stderr)
        check_message(listener.line(), 'application/x-test', data)
        # Smaller chunks, and the success REPORT waited for.
        result = send_ok('--to', path, '--file', name, '--chunk-size', '5K', '--success-report')
        check(result.stderr.endswith(' MiB/s, success REPORT received\n'), 'file summary: %r' % result.stderr)
        check_message(listener.line(), 'application/octet-stream', data)
        listener.wait()


def send_stdin(path, data, *args):
    """msrp send --to PATH ARGS, with data on its standard input."""
    try:
        result = subprocess.run([MSRP, 'send', '--to', path, *args], input=data,
                                capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        fail('msrp send %s did not exit within %d s' % (' '.join(args), TIMEOUT))
    stderr = result.stderr.decode()
    check(result.returncode == 0, 'msrp send %s exited with %d: %s' % (' '.join(args), result.returncode, stderr))
    # The size was unknown until the end: the summary counts what went out.
    check(re.fullmatch(r'sent 1 file, %d bytes in [0-9.]+ s: [0-9.]+ MiB/s\n' % len(data), stderr),
          'summary: %r' % stderr)


def test_send_stream():
    listener = Listener('--count', '5', '--format', 'summary')
    path = listener.path()
    # A pipe, in several writes, larger than a chunk: read to its end.
    data = bytes(range(256)) * 1200 + b'tail'
    send_stdin(path, data, '--file', '-')
    check_message(listener.line(), 'application/octet-stream', data)
    send_stdin(path, data, '--file', '-', '--content-type', 'text/x-test', '--chunk-size', '10K')
    check_message(listener.line(), 'text/x-test', data)
    # /dev/stdin is a pipe too: not "inode/fifo".
    send_stdin(path, b'through /dev/stdin', '--file', '/dev/stdin')
    check_message(listener.line(), 'application/octet-stream', b'through /dev/stdin')
    # Nothing at all is an empty message.
    send_stdin(path, b'', '--file', '-')
    check_message(listener.line(), 'application/octet-stream', b'')
    # A file of /proc says 0 bytes but has contents.
    if os.path.isfile('/proc/self/status'):
        result = send_ok('--to', path, '--file', '/proc/self/status', '--content-type', 'text/plain')
        got = re.match(r'sent 1 file, (\d+) bytes', result.stderr)
        check(got and int(got.group(1)) > 0, '/proc/self/status sent as empty: %r' % result.stderr)
        fields = listener.line().split(' ')
        check(len(fields) == 4 and fields[2] == got.group(1), 'listener saw %r' % fields)
    else:
        send_stdin(path, b'x', '--file', '-')
        listener.line()
    listener.wait()


def test_listen_text():
    listener = Listener('--count', '5')
    path = listener.path()
    send_ok('--to', path, 'Hello', 'Bob')
    check(listener.line() == 'Hello Bob', 'a text message is shown as its text')
    # Lines stay lines (CRLF as LF); control characters cannot reach the terminal.
    send_stdin(path, 'two\r\nlines \x1b[2J and \u00e9\n'.encode(), '--file', '-', '--content-type',
               'text/plain; charset=utf-8')
    check(listener.line() == 'two', 'first line of the text')
    line = listener.line()
    check(line == 'lines \\x1b[2J and \u00e9', 'escaped control character: %r' % line)
    # Not text, or not UTF-8: the summary line.
    data = b'\x00\x01binary'
    send_stdin(path, data, '--file', '-')
    check_message(listener.line(), 'application/octet-stream', data)
    send_stdin(path, b'caf\xe9', '--file', '-', '--content-type', 'text/plain')
    check_message(listener.line(), 'text/plain', b'caf\xe9')
    # Any text type is text.
    send_ok('--to', path, '--content-type', 'text/html', '<p>')
    check(listener.line() == '<p>', 'text/html is text')
    listener.wait()


def test_tls_refused():
    """A TLS peer that refuses send's certificate: with an alert (an OpenSSL
    peer that wants a CA's certificate), and by just resetting the connection
    after the handshake (as GLib's TLS does)."""
    import hashlib
    import socket
    import ssl
    import struct
    with tempfile.TemporaryDirectory() as directory:
        key = os.path.join(directory, 'key.pem')
        cert = os.path.join(directory, 'cert.pem')
        try:
            subprocess.run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
                            '-nodes', '-subj', '/CN=peer', '-keyout', key, '-out', cert, '-days', '2'],
                           check=True, capture_output=True, timeout=TIMEOUT)
        except (OSError, subprocess.CalledProcessError):
            print('SKIP: no openssl to make a certificate')
            sys.exit(77)
        with open(cert) as f:
            der = ssl.PEM_cert_to_DER_cert(f.read())
        fingerprint = 'sha-256 ' + ':'.join('%02X' % b for b in hashlib.sha256(der).digest())

        for how in ('alert', 'reset'):
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(cert, key)
            if how == 'alert':
                context.verify_mode = ssl.CERT_REQUIRED
                context.load_verify_locations(cert)
            server = socket.create_server(('127.0.0.1', 0))
            server.settimeout(TIMEOUT)
            port = server.getsockname()[1]
            sender = subprocess.Popen([MSRP, 'send', '--to', 'msrps://127.0.0.1:%d/s3ss10n;tcp' % port,
                                       '--fingerprint', fingerprint, 'hi'],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            connection, _ = server.accept()
            connection.settimeout(TIMEOUT)
            try:
                tls = context.wrap_socket(connection, server_side=True)
                # Refused without a word: a reset before anything is read.
                tls.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
                tls.close()
            except ssl.SSLError:
                connection.close()
            try:
                stdout, stderr = sender.communicate(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                sender.kill()
                fail('msrp send did not exit within %d s' % TIMEOUT)
            server.close()
            result = subprocess.CompletedProcess(sender.args, sender.returncode, stdout, stderr)
            check_one_line_error(result, 5, 'certificate refused (%s)' % how)
            check('refused our TLS certificate' in stderr, '%s: %r' % (how, stderr))

    # Not TLS at all on the other end: not blamed on the certificate.
    listener = Listener()
    path = listener.path().replace('msrp://', 'msrps://')
    result = msrp('send', '--to', path, '--fingerprint', fingerprint, 'hi')
    check_one_line_error(result, 0, 'TLS to a plain listener')
    check('certificate' not in result.stderr, 'plain listener: %r' % result.stderr)
    listener.kill()


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
    check_one_line_error(result, 5, 'wrong fingerprint')
    send_ok('--to', path, '--fingerprint', line, '--success-report', 'secret')
    line = listener.line()
    check(line == 'secret', 'not the text: %r' % line)
    listener.wait()


def check_one_line_error(result, code, what):
    check(result.returncode == code if code else result.returncode != 0,
          '%s: exit status %d, expected %s' % (what, result.returncode, code or 'non-zero'))
    check(result.stdout == '', '%s: printed %r on stdout' % (what, result.stdout))
    check(re.fullmatch(r'msrp: [^\n]+\n', result.stderr), '%s: not a one-line error: %r' % (what, result.stderr))


def test_errors():
    cases = [
        ('unreachable peer', 3, ['send', '--to', 'msrp://127.0.0.1:1/x;tcp', 'hi'], 'connect'),
        ('bad path', 2, ['send', '--to', 'http://example.com/', 'hi'], 'URI'),
        ('unknown command', 2, ['frobnicate'], 'unknown command'),
        ('missing --to', 2, ['send', 'hi'], '--to'),
        ('unknown option', 2, ['listen', '--bogus'], '--bogus'),
        ('bad size', 2, ['send', '--to', 'msrp://127.0.0.1:1/x;tcp', '--size', '12Q'], '12Q'),
        ('missing file', 1, ['send', '--to', 'msrp://127.0.0.1:1/x;tcp', '--file', '/nonexistent/x'], 'nonexistent'),
        ('TEXT and --size', 2, ['send', '--to', 'msrp://127.0.0.1:1/x;tcp', '--size', '1', 'hi'], 'only one'),
        ('--tls without msrps', 2, ['send', '--to', 'msrp://127.0.0.1:1/x;tcp', '--tls', 'hi'], 'msrps'),
        ('port out of range', 2, ['listen', '--port', '70000'], '--port'),
        ('bad --format', 2, ['listen', '--format', 'xml'], '--format'),
        ('malformed --fingerprint', 2, ['send', '--to', 'msrps://127.0.0.1:1/x;tcp', '--fingerprint', 'sha-256 00:11', 'hi'], '--fingerprint'),
        ('--fingerprint without TLS', 2, ['send', '--to', 'msrp://127.0.0.1:1/x;tcp', '--fingerprint', 'sha-256 00:11', 'hi'], 'msrps'),
        ('malformed --relay-fingerprint', 2, ['listen', '--relay', 'msrps://127.0.0.1:1;tcp', '--relay-user', 'a:b', '--relay-fingerprint', 'sha-256 zz'], '--relay-fingerprint'),
        ('--relay without a user', 2, ['send', '--relay', 'msrp://127.0.0.1:1;tcp', '--to', 'msrp://127.0.0.1:1/x;tcp', 'hi'], '--relay-user'),
        ('--relay with a session', 2, ['listen', '--relay', 'msrp://127.0.0.1:1/s;tcp', '--relay-user', 'a:b'], 'session id'),
        ('bad --relay URI', 2, ['listen', '--relay', 'relay.example.com', '--relay-user', 'a:b'], '--relay'),
        ('bad --relay-digest-uri', 2, ['listen', '--relay', 'msrp://127.0.0.1:1;tcp', '--relay-user', 'a:b', '--relay-digest-uri', 'x'], 'include'),
        ('--relay-user alone', 2, ['listen', '--relay-user', 'a:b'], '--relay'),
        ('--relay and --tls', 2, ['send', '--relay', 'msrp://127.0.0.1:1;tcp', '--relay-user', 'a:b', '--tls', '--to', 'msrps://127.0.0.1:1/x;tcp', 'hi'], 'relay'),
        ('--relay and --host', 2, ['listen', '--relay', 'msrp://127.0.0.1:1;tcp', '--relay-user', 'a:b', '--port', '5'], 'relay'),
        ('unreachable relay', 3, ['send', '--relay', 'msrp://127.0.0.1:1;tcp', '--relay-user', 'a:b', '--to', 'msrp://127.0.0.1:1/x;tcp', 'hi'], 'relay'),
        ('unreachable relay (listen)', 3, ['listen', '--relay', 'msrp://127.0.0.1:1;tcp', '--relay-user', 'a:b'], 'relay'),
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

    for args in (['--help'], ['help', 'send'], ['listen', '--help'], ['send', '--help'],
                 ['relay', '--help'], ['demo', '--help']):
        result = msrp(*args)
        check(result.returncode == 0 and 'Examples:' in result.stdout,
              'msrp %s: %d %r' % (' '.join(args), result.returncode, result.stdout))
    result = msrp()
    check(result.returncode == 2 and 'Usage:' in result.stderr, 'msrp without a command: %r' % (result,))


RELAY_PATH = r'a=path:(msrps?://127\.0\.0\.1:\d+/[A-Za-z0-9]+;tcp msrps?://[^ ;/]+/[A-Za-z0-9]+;tcp)'


def relay_path(listener):
    """The next a=path line of a listener through a relay; message lines
    that come first are returned too."""
    messages = []
    while True:
        line = listener.line()
        match = re.fullmatch(RELAY_PATH, line)
        if match:
            return match.group(1), messages
        check(not line.startswith('a='), 'unexpected line: %r' % line)
        messages.append(line)


def relay_round(*relay_args):
    """listen --relay and send --relay through one `msrp relay`."""
    relay = Relay('--user', 'alice:alicepass', '--user', 'bob:bobpass', *relay_args)
    extra = ['--relay-fingerprint', relay.fingerprint] if relay.fingerprint else []
    listener = Listener('--relay', relay.uri, '--relay-user', 'bob:bobpass', '--count', '3', '--format', 'summary',
                        *extra)
    alice = ['--relay', relay.uri, '--relay-user', 'alice:alicepass', *extra]

    path, messages = relay_path(listener)
    check(messages == [], 'messages before the first path: %r' % messages)
    check(path.startswith(relay.uri.split(';')[0] + '/'), 'the path %r does not start at the relay' % path)
    result = send_ok(*alice, '--to', path, '--success-report', 'hello', 'bob')
    check(result.stderr.endswith(', success REPORT received\n'), 'summary: %r' % result.stderr)

    # The path was for one peer: the listener prints another for the next.
    next_path, messages = relay_path(listener)
    check(next_path != path, 'the same path twice: %r' % path)
    with tempfile.TemporaryDirectory() as directory:
        data = bytes(range(256)) * 1500 + b'end'
        name = os.path.join(directory, 'data.bin')
        with open(name, 'wb') as f:
            f.write(data)
        result = send_ok(*alice, '--to', next_path, '--file', name, '--success-report')
        check(re.fullmatch(r'sent 1 file, %d bytes in [0-9.]+ s: [0-9.]+ MiB/s, success REPORT received\n'
                           % len(data), result.stderr), 'file summary: %r' % result.stderr)
        # The digest uri= form the relay wants (ours takes both).
        third_path, more = relay_path(listener)
        messages += more
        send_ok(*alice, '--relay-digest-uri', 'include', '--to', third_path, 'third')
        while len(messages) < 3:
            line = listener.line()
            if not re.fullmatch(RELAY_PATH, line):
                messages.append(line)
        check_message(messages[0], 'text/plain', b'hello bob')
        check_message(messages[1], 'application/octet-stream', data)
        check_message(messages[2], 'text/plain', b'third')
    listener.wait()

    # Wrong password: exit status 4 and a message that names the user.
    result = msrp('send', '--relay', relay.uri, '--relay-user', 'alice:wrong', *extra, '--to', path, 'hi')
    check_one_line_error(result, 4, 'wrong relay password')
    check('alice' in result.stderr and '--relay-user' in result.stderr, 'AUTH failure: %r' % result.stderr)
    result = msrp('listen', '--relay', relay.uri, '--relay-user', 'nobody:x', *extra)
    check_one_line_error(result, 4, 'unknown relay user (listen)')

    if relay.fingerprint:
        # A self-signed relay without --relay-fingerprint, and a wrong one.
        result = msrp('send', '--relay', relay.uri, '--relay-user', 'alice:alicepass', '--to', path, 'hi')
        check_one_line_error(result, 5, 'untrusted relay certificate')
        check('--relay-fingerprint' in result.stderr, 'no hint: %r' % result.stderr)
        wrong = 'sha-256 ' + ':'.join(['00'] * 32)
        result = msrp('listen', '--relay', relay.uri, '--relay-user', 'bob:bobpass', '--relay-fingerprint', wrong)
        check_one_line_error(result, 5, 'wrong relay fingerprint')
        check('does not match' in result.stderr, 'mismatch: %r' % result.stderr)
    else:
        # The relay cannot reach the peer at the end of the path.
        result = msrp('send', *alice, '--to', 'msrp://127.0.0.1:1/nobody;tcp', 'hi')
        check_one_line_error(result, 3, 'unreachable peer through the relay')
        check('could not reach the peer' in result.stderr, 'unreachable peer: %r' % result.stderr)
    relay.stop()


def test_relay():
    relay_round()
    relay_round('--tls')


def test_kamailio():
    port = os.environ.get('MSRP_TEST_KAMAILIO_PORT')
    tls_port = os.environ.get('MSRP_TEST_KAMAILIO_TLS_PORT')
    cert = os.environ.get('MSRP_TEST_KAMAILIO_CERT')
    check(port and tls_port and cert, 'run this under tests/relay/with-kamailio')
    tcp = 'msrp://127.0.0.1:%s;tcp' % port
    tls = ['--relay', 'msrps://127.0.0.1:%s;tcp' % tls_port, '--relay-fingerprint', cert]

    # bob over TLS to the relay (its certificate pinned from its PEM file);
    # alice once over TCP, then over TLS.
    listener = Listener(*tls, '--relay-user', 'bob:bobpass', '--count', '2', '--format', 'summary')
    path, _ = relay_path(listener)
    send_ok('--relay', tcp, '--relay-user', 'alice:alicepass', '--to', path, '--success-report', 'via', 'kamailio')
    path, messages = relay_path(listener)
    send_ok(*tls, '--relay-user', 'alice:alicepass', '--relay-digest-uri', 'include', '--to', path, 'again')
    while len(messages) < 2:
        line = listener.line()
        if not re.fullmatch(RELAY_PATH, line):
            messages.append(line)
    check_message(messages[0], 'text/plain', b'via kamailio')
    check_message(messages[1], 'text/plain', b'again')
    listener.wait()

    result = msrp('send', '--relay', tcp, '--relay-user', 'alice:wrong', '--to', path, 'hi')
    check_one_line_error(result, 4, 'wrong password at Kamailio')


DEMO_STEPS = [
    r'^relay  listening on msrps://127\.0\.0\.1:\d+;tcp',
    r'^bob    TLS to the relay: its certificate sha-256 \S+ is the one',
    r'^bob    → relay  AUTH, without credentials$',
    r'^relay  → bob    401 Unauthorized: a Digest challenge',
    r'^bob    → relay  AUTH, with a Digest answer for user "bob"',
    r'^relay  → bob    200 OK: Use-Path msrps://127\.0\.0\.1:\d+/\w+;tcp, Expires \d+ s$',
    r'^bob    a=path:msrps://127\.0\.0\.1:\d+/\w+;tcp msrps://\S+;tcp$',
    r'^alice  a=path:msrps://\S+;tcp$',
    r'^alice  TLS to the first hop of bob\'s path, the relay: its certificate matches$',
    r'^bob    bound by the first peer that came: msrps://\S+;tcp$',
    r'^alice  → bob    "Hello Bob, this is Alice\."$',
    r'^bob    received "Hello Bob, this is Alice\." \(text/plain, 25 bytes, Message-ID \S+\)$',
    r'^alice  got a REPORT: 200 OK for Message-ID \S+, bytes 1-25/25$',
    r'^bob    → alice  "',
    r'^bob    got a REPORT: 200 OK',
    r'^alice  → bob    demo\.bin, 4\.0.MiB of generated data',
    r'^alice  \[#+ *\]  25%',
    r'^bob    received demo\.bin \(application/octet-stream, 4\.0.MiB\): its SHA-256 matches$',
    r'^alice  got a REPORT: 200 OK for Message-ID \S+, bytes 1-4194304/4194304$',
    r'^alice  sent demo\.bin: ',
    r'^alice  ends the session',
    r'^relay  stops$',
    r'^       done in [0-9.]+ s$',
]


def test_demo():
    result = msrp('demo')
    check(result.returncode == 0, 'msrp demo exited with %d: %s' % (result.returncode, result.stderr))
    check(result.stderr == '', 'msrp demo wrote to stderr: %r' % result.stderr)
    check('\033' not in result.stdout, 'colour without a terminal')
    lines = result.stdout.splitlines()
    check(lines[0].startswith('msrp demo: '), 'first line: %r' % lines[0])
    # Every step, in order.
    at = 0
    for step in DEMO_STEPS:
        while at < len(lines) and not re.search(step, lines[at]):
            at += 1
        check(at < len(lines), 'the transcript lacks %r (in order):\n%s' % (step, result.stdout))
        at += 1
    # Alice's progress ends when the last chunks are acknowledged, which
    # may come after Bob has the file.
    check(any(re.search(r'^alice  \[#+\] 100%', line) for line in lines),
          'the transcript lacks the end of the progress:\n%s' % result.stdout)

    # --verbose adds the traffic on stderr, the transcript stays the same.
    result = msrp('demo', '--verbose')
    check(result.returncode == 0, 'msrp demo --verbose exited with %d: %s' % (result.returncode, result.stderr[-2000:]))
    for needle in ('AUTH\n', '401 Unauthorized', 'Authorization: Digest', 'Use-Path: ', 'REPORT', 'Success-Report: yes'):
        check(needle in result.stderr, 'the traffic log lacks %r' % needle)
    check(result.stdout.startswith('msrp demo: '), 'transcript with --verbose: %r' % result.stdout[:200])


TESTS = {
    'send-listen': test_send_listen,
    'send-file': test_send_file,
    'send-stream': test_send_stream,
    'listen-text': test_listen_text,
    'tls-refused': test_tls_refused,
    'send-listen-tls': test_send_listen_tls,
    'errors': test_errors,
    'through-relay': test_relay,
    'demo': test_demo,
    'kamailio': test_kamailio,
}

if __name__ == '__main__':
    MSRP, test = harness.parse_args('test-tool.py', TESTS)
    test()
    print('PASS: ' + sys.argv[2])
