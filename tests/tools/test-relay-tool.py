#!/usr/bin/env python3
# test-relay-tool.py: drives `msrp relay` as a user would: two raw MSRP
# clients authenticate with HTTP Digest (computed here) and one sends to the
# other through it; then SIGTERM stops it. Standard library only.
#
#   test-relay-tool.py MSRP
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import hashlib
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile

import harness
from harness import check, fail

TIMEOUT = harness.TIMEOUT = 30
MSRP = None


def stop_relay(relay):
    rest = relay.stop()
    check(rest == [], 'msrp relay printed more than its URI (and fingerprint): %r' % rest)


class Client:
    """A raw MSRP client on one connection."""

    def __init__(self, relay, name):
        sock = socket.create_connection((relay.host, relay.port), timeout=TIMEOUT)
        if relay.tls:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            sock = context.wrap_socket(sock)
        self.sock = sock
        self.buffer = b''
        self.uri = 'msrp://127.0.0.1:9/%s;tcp' % name
        self.use_path = None
        self.counter = 0

    def tid(self):
        self.counter += 1
        return '%s%08x' % ('t', self.counter ^ id(self) & 0xffffffff)

    def send(self, text):
        self.sock.sendall(text.encode())

    def read_frame(self):
        """One frame: (first line, headers dict, body)."""
        while True:
            match = re.match(rb'MSRP (\S+) ([^\r\n]*)\r\n', self.buffer)
            if match:
                tid = match.group(1)
                end = re.search(rb'(\r\n)?-------' + re.escape(tid) + rb'[$#+]\r\n', self.buffer)
                if end:
                    frame = self.buffer[:end.end()]
                    self.buffer = self.buffer[end.end():]
                    head, _, body = frame[:end.start()].partition(b'\r\n\r\n')
                    lines = head.decode().split('\r\n')
                    headers = {}
                    for line in lines[1:]:
                        if line:
                            name, _, value = line.partition(': ')
                            headers[name] = value
                    return lines[0], headers, body
            data = self.sock.recv(65536)
            if not data:
                fail('the relay closed the connection')
            self.buffer += data

    def auth(self, relay, user, password, realm):
        tid = self.tid()
        self.send('MSRP %s AUTH\r\nTo-Path: %s\r\nFrom-Path: %s\r\n-------%s$\r\n'
                  % (tid, relay.uri, self.uri, tid))
        line, headers, _ = self.read_frame()
        check(line == 'MSRP %s 401 Unauthorized' % tid, 'expected a 401, got %r' % line)
        check(headers.get('To-Path') == self.uri, 'the 401 goes one hop back')
        challenge = dict(re.findall(r'(\w+)="?([^",]*)"?', headers['WWW-Authenticate']))
        check(challenge['realm'] == realm, 'the realm is %r' % challenge['realm'])
        ha1 = hashlib.md5(('%s:%s:%s' % (user, realm, password)).encode()).hexdigest()
        ha2 = hashlib.md5(('AUTH:%s' % relay.uri).encode()).hexdigest()
        cnonce = '0a1b2c3d'
        response = hashlib.md5(('%s:%s:00000001:%s:auth:%s'
                                % (ha1, challenge['nonce'], cnonce, ha2)).encode()).hexdigest()
        tid = self.tid()
        self.send('MSRP %s AUTH\r\nTo-Path: %s\r\nFrom-Path: %s\r\n'
                  'Authorization: Digest username="%s", realm="%s", nonce="%s", uri="%s", '
                  'response="%s", qop=auth, nc=00000001, cnonce="%s", algorithm=MD5\r\n'
                  '-------%s$\r\n'
                  % (tid, relay.uri, self.uri, user, realm, challenge['nonce'], relay.uri,
                     response, cnonce, tid))
        line, headers, _ = self.read_frame()
        return line, headers


def run(*args, tls=False):
    realm = 'example.com'
    relay = harness.Relay('--realm', realm, '--user', 'alice:alicepass', '--user', 'bob:bobpass', *args)
    check(relay.tls == tls, 'the URI %s has the wrong scheme' % relay.uri)

    alice = Client(relay, 'alice')
    line, headers = alice.auth(relay, 'alice', 'alicepass', realm)
    check(line.endswith(' 200 OK'), 'alice was not accepted: %r' % line)
    check(headers.get('Expires') == '600', 'Expires is %r' % headers.get('Expires'))
    alice.use_path = headers['Use-Path']
    check(alice.use_path.startswith(relay.uri.split(';')[0] + '/'),
          'Use-Path %r is not on the relay' % alice.use_path)

    bob = Client(relay, 'bob')
    line, headers = bob.auth(relay, 'bob', 'wrong', realm)
    check(' 401 ' in line, 'a wrong password got %r' % line)
    line, headers = bob.auth(relay, 'bob', 'bobpass', realm)
    check(line.endswith(' 200 OK'), 'bob was not accepted: %r' % line)
    bob.use_path = headers['Use-Path']

    tid = alice.tid()
    body = 'Hello, Bob'
    alice.send('MSRP %s SEND\r\nTo-Path: %s %s %s\r\nFrom-Path: %s\r\nMessage-ID: m1234\r\n'
               'Byte-Range: 1-%d/%d\r\nContent-Type: text/plain\r\n\r\n%s\r\n-------%s$\r\n'
               % (tid, alice.use_path, bob.use_path, bob.uri, alice.uri,
                  len(body), len(body), body, tid))
    line, headers, got = bob.read_frame()
    check(line == 'MSRP %s SEND' % tid, 'bob got %r' % line)
    check(headers['To-Path'] == bob.uri, 'To-Path at bob: %r' % headers['To-Path'])
    check(headers['From-Path'] == '%s %s %s' % (bob.use_path, alice.use_path, alice.uri),
          'From-Path at bob: %r' % headers['From-Path'])
    check(got == body.encode(), 'the body changed: %r' % got)
    line, headers, _ = alice.read_frame()
    check(line == 'MSRP %s 200 OK' % tid, 'alice got %r' % line)
    check(headers['From-Path'] == alice.use_path, 'the 200 comes from alice\'s session')

    stop_relay(relay)


def limits():
    """--max-auth-failures and --max-sessions-per-connection reach the relay."""
    realm = 'example.com'
    relay = harness.Relay('--realm', realm, '--user', 'alice:alicepass',
                  '--max-auth-failures', '1', '--max-sessions-per-connection', '1')

    # One wrong answer is the limit: 403, and the connection closes.
    mallory = Client(relay, 'mallory')
    line, _ = mallory.auth(relay, 'alice', 'guess', realm)
    check(line.endswith(' 403 Too many failed attempts'), 'a wrong answer got %r' % line)
    check(mallory.sock.recv(1) == b'', 'the connection stayed open after the limit')

    # One session per connection: the second AUTH is refused.
    alice = Client(relay, 'alice')
    line, _ = alice.auth(relay, 'alice', 'alicepass', realm)
    check(line.endswith(' 200 OK'), 'alice was not accepted: %r' % line)
    alice.uri = 'msrp://127.0.0.1:9/alice2;tcp'
    line, _ = alice.auth(relay, 'alice', 'alicepass', realm)
    check(' 403 ' in line, 'a second session on the connection got %r' % line)
    stop_relay(relay)


def own_certificate():
    """--tls-certificate: the relay presents the certificate of the file (a
    relay behind SRV needs one that names the domain), and a file that is no
    certificate is a one-line error."""
    openssl = shutil.which('openssl')
    if openssl is None:
        print('# no openssl: --tls-certificate with a real file not tested')
    else:
        with tempfile.TemporaryDirectory() as tmp:
            key, cert, pem = (os.path.join(tmp, name) for name in ('key.pem', 'cert.pem', 'relay.pem'))
            subprocess.run([openssl, 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
                            '-nodes', '-days', '1', '-subj', '/CN=example.com', '-keyout', key, '-out', cert],
                           check=True, capture_output=True, timeout=TIMEOUT)
            with open(pem, 'w') as out:
                out.write(open(cert).read() + open(key).read())
            der = ssl.PEM_cert_to_DER_cert(open(cert).read())
            relay = harness.Relay('--tls-certificate', pem)
            check(relay.tls, '--tls-certificate did not make the relay use TLS: %s' % relay.uri)
            expected = ':'.join('%02X' % b for b in hashlib.sha256(der).digest())
            check(relay.fingerprint == 'a=fingerprint:sha-256 ' + expected,
                  'the relay printed %r, not the file\'s fingerprint' % relay.fingerprint)
            context = ssl.create_default_context(cafile=cert)
            context.check_hostname = False
            with socket.create_connection((relay.host, relay.port), timeout=TIMEOUT) as raw:
                with context.wrap_socket(raw) as tls:
                    check(tls.getpeercert(binary_form=True) == der, 'the relay presented another certificate')
            stop_relay(relay)

    with tempfile.NamedTemporaryFile('w', suffix='.pem') as bogus:
        bogus.write('not a certificate\n')
        bogus.flush()
        result = subprocess.run([MSRP, 'relay', '--tls-certificate', bogus.name],
                                capture_output=True, text=True, timeout=TIMEOUT)
    check(result.returncode != 0, 'a bogus --tls-certificate exited 0')
    check(result.stderr.startswith('msrp: ') and result.stderr.count('\n') == 1,
          'not a one-line error: %r' % result.stderr)


def main():
    global MSRP
    MSRP = harness.MSRP = os.path.abspath(sys.argv[1])

    run()
    run('--tls', tls=True)
    limits()
    own_certificate()

    result = subprocess.run([MSRP, 'relay', '--max-auth-failures', '0'],
                            capture_output=True, text=True, timeout=TIMEOUT)
    check(result.returncode == 2, '--max-auth-failures 0 exited %d' % result.returncode)

    # Usage errors: one line on stderr, exit status 2.
    result = subprocess.run([MSRP, 'relay', '--user', 'nopassword'],
                            capture_output=True, text=True, timeout=TIMEOUT)
    check(result.returncode == 2, '--user without a password exited %d' % result.returncode)
    check(result.stderr.startswith('msrp: ') and result.stderr.count('\n') == 1,
          'not a one-line error: %r' % result.stderr)
    check(result.stdout == '', 'printed %r' % result.stdout)
    print('ok')


if __name__ == '__main__':
    main()
