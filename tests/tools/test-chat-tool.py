#!/usr/bin/env python3
# test-chat-tool.py: `msrp chat` as people and scripts use it.
#
#   test-chat-tool.py MSRP terminal   two chats in pseudo-terminals, the SDP through files:
#                                     typing shows, messages with the sender's name, ✓ and
#                                     ✓✓ on the sender's screen, Ctrl-D ends both
#   test-chat-tool.py MSRP json       --json on both sides: every kind of event
#   test-chat-tool.py MSRP relay      both sides through `msrp relay`
#   test-chat-tool.py MSRP relay-ws   alice through `msrp relay` over WebSocket (;ws), bob over TCP
#   test-chat-tool.py MSRP errors     command-line errors: one line, exit status 2
#
# Every wait is bounded: a test that sees nothing within TIMEOUT fails.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import fcntl
import json
import os
import pty
import queue
import re
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time

import harness
from harness import check, fail, wait_exit

TIMEOUT = harness.TIMEOUT = 30
MSRP = None
ALICE = 'Alice <sip:alice@example.com>'
BOB = 'Bob <sip:bob@example.com>'


class Screen:
    """The little of a VT100 that msrp chat uses: enough to read what a
    person would see."""

    def __init__(self, width):
        self.width = width
        self.lines = ['']
        self.row = 0
        self.col = 0
        self.pending = ''

    def _put(self, char):
        while len(self.lines) <= self.row:
            self.lines.append('')
        line = self.lines[self.row].ljust(self.col)
        self.lines[self.row] = line[:self.col] + char + line[self.col + 1:]
        self.col += 1
        if self.col >= self.width:
            self.row += 1
            self.col = 0

    def feed(self, text):
        text = self.pending + text
        self.pending = ''
        i = 0
        while i < len(text):
            char = text[i]
            if char == '\x1b':
                match = re.match(r'\x1b\[([0-9;]*)([A-Za-z])', text[i:])
                if match is None:
                    if len(text) - i < 16:
                        self.pending = text[i:]   # the rest comes later
                        return
                    i += 1
                    continue
                count = int(match.group(1) or '1')
                command = match.group(2)
                if command == 'A':
                    self.row = max(0, self.row - count)
                elif command == 'B':
                    self.row += count
                elif command == 'C':
                    self.col = min(self.width - 1, self.col + count)
                elif command == 'J':
                    while len(self.lines) <= self.row:
                        self.lines.append('')
                    self.lines[self.row] = self.lines[self.row][:self.col]
                    del self.lines[self.row + 1:]
                elif command == 'K':
                    self.lines[self.row] = self.lines[self.row][:self.col]
                i += len(match.group(0))
                continue
            if char == '\r':
                self.col = 0
            elif char == '\n':
                self.row += 1
            elif char >= ' ':
                self._put(char)
            i += 1

    def text(self):
        return '\n'.join(line.rstrip() for line in self.lines)


class Terminal:
    """msrp chat in a pseudo-terminal: keys in, a screen out."""

    def __init__(self, name, *args, width=100):
        self.name = name
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack('HHHH', 40, width, 0, 0))
        self.process = subprocess.Popen([MSRP, 'chat', *args], stdin=slave, stdout=slave,
                                        stderr=subprocess.PIPE, text=True)
        os.close(slave)
        self.master = master
        self.screen = Screen(width)
        self.condition = threading.Condition()
        self.closed = False
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        decoder = __import__('codecs').getincrementaldecoder('utf-8')()
        while True:
            try:
                data = os.read(self.master, 4096)
            except OSError:
                data = b''
            with self.condition:
                if data:
                    self.screen.feed(decoder.decode(data))
                else:
                    self.closed = True
                self.condition.notify_all()
            if not data:
                return

    def type(self, keys):
        os.write(self.master, keys.encode())

    def wait_for(self, pattern, what):
        """Waits until the screen shows @pattern (a regular expression)."""
        deadline = time.monotonic() + TIMEOUT
        with self.condition:
            while not re.search(pattern, self.screen.text(), re.MULTILINE):
                left = deadline - time.monotonic()
                if left <= 0 or (self.closed and not re.search(pattern, self.screen.text(), re.MULTILINE)
                                 and self.process.poll() is not None):
                    self.process.kill()
                    fail('%s: %s not shown within %d s; the screen:\n%s\nstderr: %s' %
                         (self.name, what, TIMEOUT, self.screen.text(), self.stderr()))
                self.condition.wait(min(left, 1))

    def stderr(self):
        if self.process.poll() is None:
            return '(still running)'
        return self.process.stderr.read()

    def wait_exit(self):
        try:
            rc = self.process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            fail('%s did not exit within %d s; the screen:\n%s' % (self.name, TIMEOUT, self.screen.text()))
        stderr = self.process.stderr.read()
        check(rc == 0, '%s exited with %d: %s' % (self.name, rc, stderr))
        check(stderr == '', '%s wrote to stderr: %r' % (self.name, stderr))


def test_terminal():
    with tempfile.TemporaryDirectory() as directory:
        offer = os.path.join(directory, 'offer.sdp')
        answer = os.path.join(directory, 'answer.sdp')
        files = ['--offer-file', offer, '--answer-file', answer]
        # An old answer is not taken for the new one.
        with open(answer, 'w') as f:
            f.write('m=message 1 TCP/MSRP *\r\na=path:msrp://127.0.0.1:1/old;tcp\r\n')

        alice = Terminal('alice', '--offer', *files, '--local-identity', ALICE, '--remote-identity', BOB)
        alice.wait_for(r'Waiting for the answer in .*answer\.sdp', 'waiting for the answer')
        bob = Terminal('bob', '--answer', *files, '--local-identity', BOB, '--remote-identity', ALICE)
        alice.wait_for(r'^Chat with Bob started', 'the start')
        bob.wait_for(r'^Chat with Alice started', 'the start')
        # The input line comes right after the start line, maybe in a later write.
        bob.wait_for(r'^>$', 'the input line')

        # Bob types: Alice sees it, then his message, with his name.
        bob.type('hello')
        bob.wait_for(r'^> hello$', 'the line being typed')
        alice.wait_for(r'^Bob is typing…$', '"Bob is typing…"')
        bob.type(' Alice\r')
        alice.wait_for(r'^\d\d:\d\d Bob: hello Alice$', "Bob's message")
        check('Bob is typing' not in alice.screen.text(), 'the typing notice stays:\n' + alice.screen.text())
        # Delivered, then displayed (Alice printed it): marks on his line.
        bob.wait_for(r'^\d\d:\d\d Bob: hello Alice ✓✓$', 'the marks on the sender')

        # And back, with a line edited on the way (backspace, Ctrl-W).
        alice.type('Hi Bx\x7fob oops\x17')
        alice.wait_for(r'^> Hi Bob$', 'the edited line')
        alice.type('\r')
        bob.wait_for(r'^\d\d:\d\d Alice: Hi Bob$', "Alice's message")
        alice.wait_for(r'^\d\d:\d\d Alice: Hi Bob ✓✓$', 'the marks on the sender')

        # Ctrl-D on an empty line ends both.
        alice.type('\x04')
        alice.wait_for(r'^The chat ended\.$', 'the end')
        bob.wait_for(r'^Alice ended the chat\.$', 'the peer ending')
        alice.wait_exit()
        bob.wait_exit()


class Lines(harness.Lines):
    """A process's stdout lines as JSON events."""

    def __init__(self, name, stream):
        super().__init__(stream, strip='\r\n')
        self.name = name
        self.seen = []
        self.events = []

    def event(self, kind):
        """The next JSON event of @kind, in whatever order the kinds come."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            for i, event in enumerate(self.events):
                if event is not None and event.get('event') == kind:
                    self.events[i] = None
                    return event
            try:
                line = self.queue.get(timeout=max(0, deadline - time.monotonic()))
            except queue.Empty:
                fail('%s: no %s event within %d s; it printed:\n%s' % (self.name, kind, TIMEOUT, '\n'.join(self.seen)))
            if line is None:
                fail('%s: ended without a %s event; it printed:\n%s' % (self.name, kind, '\n'.join(self.seen)))
            self.seen.append(line)
            try:
                self.events.append(json.loads(line))
            except ValueError:
                fail('%s: not a JSON line: %r' % (self.name, line))

    def kinds(self):
        return {json.loads(line)['event'] for line in self.seen}


def chat(name, *args, stdin=subprocess.PIPE):
    process = subprocess.Popen([MSRP, 'chat', '--json', *args], stdin=stdin, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    return process, Lines(name, process.stdout)


def drain(fd):
    """Reads a terminal's output (its echo) so that it never blocks."""
    def read():
        try:
            while os.read(fd, 4096):
                pass
        except OSError:
            pass
    threading.Thread(target=read, daemon=True).start()


def test_json():
    with tempfile.TemporaryDirectory() as directory:
        offer = os.path.join(directory, 'offer.sdp')
        edited = os.path.join(directory, 'edited.sdp')
        # Alice gets Bob's answer edited to take no text inside CPIM, so
        # that her message cannot be delivered (not-delivered, code 0).
        alice, alice_lines = chat('alice', '--offer', '--offer-file', offer, '--answer-file', edited,
                                  '--local-identity', ALICE, '--remote-identity', BOB)
        master, slave = pty.openpty()
        # Bob types in a terminal (is-composing), his events go to a pipe;
        # his answer too, as an event.
        bob, bob_lines = chat('bob', '--answer', '--offer-file', offer, '--answer-file', '-',
                              '--local-identity', BOB, '--remote-identity', ALICE, stdin=slave)
        os.close(slave)
        drain(master)

        sdp = bob_lines.event('answer')['sdp']
        check(sdp.startswith('m=message 9 TCP/TLS/MSRP ') and 'a=accept-wrapped-types:text/* ' in sdp
              and 'a=fingerprint:sha-256 ' in sdp, 'unexpected answer: %r' % sdp)
        with open(edited + '.tmp', 'w') as f:
            f.write(sdp.replace('a=accept-wrapped-types:text/* image/* ', 'a=accept-wrapped-types:'))
        os.rename(edited + '.tmp', edited)

        started = alice_lines.event('started')
        check(started['local-identity'] == '"Alice" <sip:alice@example.com>', 'started: %r' % started)
        bob_lines.event('started')

        alice.stdin.write('hello "Bob"\n')
        alice.stdin.flush()
        sent = alice_lines.event('sent')
        check(sent['text'] == 'hello "Bob"', 'sent: %r' % sent)
        refused = alice_lines.event('not-delivered')
        check(refused['id'] == sent['id'] and refused['code'] == 0 and 'text/plain' in refused['reason'],
              'not-delivered: %r' % refused)

        os.write(master, b'hi')
        composing = alice_lines.event('composing')
        check(composing['state'] == 'active' and composing['sender'] == '"Bob" <sip:bob@example.com>',
              'composing: %r' % composing)
        os.write(master, b' Alice\t\\ \xc3\xa9\r')
        bob_sent = bob_lines.event('sent')
        message = alice_lines.event('message')
        check(message['id'] == bob_sent['id'] and message['text'] == 'hi Alice \\ é' and
              message['sender'] == '"Bob" <sip:bob@example.com>' and
              message['content-type'].startswith('text/plain') and
              re.fullmatch(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)', message['timestamp']),
              'message: %r' % message)
        check(bob_lines.event('delivered')['id'] == bob_sent['id'], 'delivered: %r' % bob_lines.seen)
        check(bob_lines.event('displayed')['id'] == bob_sent['id'], 'displayed: %r' % bob_lines.seen)

        alice.stdin.close()
        check(alice_lines.event('ended')['by'] == 'local', 'ended: %r' % alice_lines.seen)
        check(bob_lines.event('ended')['by'] == 'peer', 'ended: %r' % bob_lines.seen)
        check(wait_exit('alice', alice) == '', 'alice wrote to stderr')
        check(wait_exit('bob', bob) == '', 'bob wrote to stderr')
        os.close(master)

        # Alice is gone: answering her offer again fails, in one line.
        failed, failed_lines = chat('carol', '--answer', '--offer-file', offer, '--answer-file',
                                    os.path.join(directory, 'late.sdp'))
        event = failed_lines.event('failed')
        failed.stdin.close()
        check(event['message'], 'failed: %r' % event)
        stderr = wait_exit('carol', failed, 3)
        check(stderr.startswith('msrp: ') and stderr.count('\n') == 1, 'not one line: %r' % stderr)

        kinds = alice_lines.kinds() | bob_lines.kinds() | failed_lines.kinds()
        expected = {'started', 'sent', 'message', 'delivered', 'not-delivered', 'displayed', 'composing',
                    'ended', 'failed'}
        check(expected <= kinds, 'missing events: %r' % (expected - kinds))


def chat_through_relay(relay, alice_relay, offer_patterns, text, reply):
    """Alice (through @alice_relay) and bob (through the relay's TCP URI)
    chat; then carol's wrong password gets the relay's words."""
    with tempfile.TemporaryDirectory() as directory:
        files = ['--offer-file', os.path.join(directory, 'offer.sdp'),
                 '--answer-file', os.path.join(directory, 'answer.sdp')]
        alice, alice_lines = chat('alice', '--offer', *files, '--relay', alice_relay, '--relay-user', 'alice:alicepass',
                                  '--local-identity', ALICE, '--remote-identity', BOB)
        bob, bob_lines = chat('bob', '--answer', *files, '--relay', relay.uri, '--relay-user', 'bob:bobpass',
                              '--local-identity', BOB, '--remote-identity', ALICE)
        alice_lines.event('started')
        bob_lines.event('started')
        with open(files[1]) as f:
            offer = f.read()
        check(all(re.search(p, offer) for p in offer_patterns), 'the offer does not go through the relay as it should: %r' % offer)

        alice.stdin.write(text + '\n')
        alice.stdin.flush()
        check(bob_lines.event('message')['text'] == text, 'message: %r' % bob_lines.seen)
        bob.stdin.write(reply + '\n')
        bob.stdin.flush()
        check(alice_lines.event('message')['text'] == reply, 'message: %r' % alice_lines.seen)
        alice_lines.event('delivered')
        alice_lines.event('displayed')
        bob_lines.event('delivered')
        bob_lines.event('displayed')

        # A peer's end does not cross relays: each side ends its own.
        alice.stdin.close()
        alice_lines.event('ended')
        bob.stdin.close()
        bob_lines.event('ended')
        check(wait_exit('alice', alice) == '', 'alice wrote to stderr')
        check(wait_exit('bob', bob) == '', 'bob wrote to stderr')

        # A wrong password: the relay's words, in one line, exit status 4.
        carol, carol_lines = chat('carol', '--offer', *files, '--relay', alice_relay, '--relay-user', 'alice:wrong')
        carol_lines.event('failed')
        carol.stdin.close()
        stderr = wait_exit('carol', carol, 4)
        check('--relay-user' in stderr and stderr.count('\n') == 1, 'AUTH failure: %r' % stderr)

    relay.stop()


def test_relay():
    relay = harness.Relay('--user', 'alice:alicepass', '--user', 'bob:bobpass')
    check(re.fullmatch(r'msrp://127\.0\.0\.1:\d+;tcp', relay.uri), 'not a relay URI: %r' % relay.uri)
    chat_through_relay(relay, relay.uri, [r'a=path:msrp://127\.0\.0\.1:\d+/\S+;tcp msrp://'],
                       'via relay', 'back via relay')


def test_relay_ws():
    relay = harness.Relay('--ws-port', '0', '--user', 'alice:alicepass', '--user', 'bob:bobpass')
    check(re.fullmatch(r'msrp://127\.0\.0\.1:\d+;tcp', relay.uri), 'not a relay URI: %r' % relay.uri)
    # Alice comes as a browser would, bob over TCP: the relay joins the two.
    # RFC 7977: the relay's URI (its Use-Path) first, then alice's own
    # made-up ;ws URI, over TCP/WS/MSRP.
    chat_through_relay(relay, relay.ws_uri,
                       [r'a=path:msrp://127\.0\.0\.1:\d+/\S+;(tcp|ws) msrp://\S+\.invalid(:\d+)?/\S+;ws',
                        'TCP/WS/MSRP'],
                       'via websocket', 'back to the websocket')


def test_errors():
    cases = [
        ([], 'either --offer or --answer'),
        (['--offer', '--answer', '--offer-file', 'o', '--answer-file', 'a'], 'either --offer or --answer'),
        (['--offer', '--offer-file', 'o'], '--answer-file'),
        (['--offer', '--offer-file', 'o', '--answer-file', '-'], '--answer-file'),
        (['--answer', '--offer-file', '-', '--answer-file', 'a'], '--offer-file'),
        (['--offer', '--offer-file', 'o', '--answer-file', 'a', '--local-identity', 'Alice <'], '--local-identity'),
        (['--offer', '--offer-file', 'o', '--answer-file', 'a', '--port', '70000'], '--port'),
        (['--offer', '--offer-file', 'o', '--answer-file', 'a', '--relay', 'msrp://127.0.0.1:1;tcp',
          '--relay-user', 'a:b', '--no-tls'], 'relay'),
        (['--offer', '--offer-file', 'o', '--answer-file', 'a', 'extra'], 'extra'),
    ]
    for args, needle in cases:
        try:
            result = subprocess.run([MSRP, 'chat', *args], capture_output=True, text=True, timeout=TIMEOUT,
                                    stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            fail('msrp chat %s did not exit' % args)
        check(result.returncode == 2, 'msrp chat %s exited with %d' % (args, result.returncode))
        check(result.stderr.startswith('msrp: ') and result.stderr.count('\n') == 1 and needle in result.stderr,
              'msrp chat %s: %r' % (args, result.stderr))
        check(result.stdout == '', 'msrp chat %s wrote to stdout' % args)

    result = subprocess.run([MSRP, 'chat', '--help'], capture_output=True, text=True, timeout=TIMEOUT)
    check(result.returncode == 0 and 'Examples:' in result.stdout and '--offer-file' in result.stdout and
          '--json' in result.stdout, 'msrp chat --help: %r' % result.stdout)


TESTS = {
    'terminal': test_terminal,
    'json': test_json,
    'relay': test_relay,
    'relay-ws': test_relay_ws,
    'errors': test_errors,
}

if __name__ == '__main__':
    MSRP, test = harness.parse_args('test-chat-tool.py', TESTS)
    test()
    print('PASS: ' + sys.argv[2])
