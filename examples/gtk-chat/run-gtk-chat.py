#!/usr/bin/python3
# run-gtk-chat.py: runs two gtk-chat windows under Xvfb, one offering and
# one answering through SDP files, makes each send a message through its
# entry and Send button, and checks what both windows showed.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Usage: run-gtk-chat.py GTK_CHAT
#        run-gtk-chat.py --missing WHAT      (GTK 4 was not found at build time)
#
# Without GTK 4 or Xvfb the test is skipped (exit 77), unless
# MSRP_TEST_REQUIRE_GTK is set, as CI sets it: then it fails.
#
# Each window prints one line on stdout for each change of what it shows
# (title, status, messages, marks, "is typing…"); the test reads them as
# they come, with one deadline for the whole run, and needs both windows to
# exit 0 having shown: the peer in the title, a TLS connection, "is typing…"
# then the peer's message, its own message with ✓ (delivered) and ✓✓
# (displayed).

import argparse
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time

TIMEOUT = 60

ALICE = 'Alice <sip:alice@example.com>'
BOB = '"Bob B." <sip:bob@example.com>'
ALICE_TEXT = 'Hello Bob, this is the window of Alice'
BOB_TEXT = 'Hi Alice! Über MSRP ✓'
PEER_ENDED = 'status: The peer ended the chat'


def skip(reason):
    if os.environ.get('MSRP_TEST_REQUIRE_GTK'):
        print(f'FAIL: {reason} (MSRP_TEST_REQUIRE_GTK is set: install it)', file=sys.stderr)
        sys.exit(1)
    print(f'SKIP: {reason}', file=sys.stderr)
    sys.exit(77)


def fail(message, outputs=()):
    print(f'FAIL: {message}', file=sys.stderr)
    for name, text in outputs:
        print(f'--- {name}:\n{text}', file=sys.stderr)
    sys.exit(1)


def start_xvfb(deadline):
    """Starts Xvfb on a display it picks itself (-displayfd): no race for a
    free display number. Returns the process and the display name."""
    read_end, write_end = os.pipe()
    xvfb = subprocess.Popen(['Xvfb', '-displayfd', str(write_end), '-nolisten', 'tcp',
                             '-screen', '0', '800x600x24'],
                            pass_fds=[write_end], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    os.close(write_end)
    number = b''
    with selectors.DefaultSelector() as selector:
        selector.register(read_end, selectors.EVENT_READ)
        while not number.endswith(b'\n'):
            left = deadline - time.monotonic()
            if left <= 0 or not selector.select(left):
                break
            data = os.read(read_end, 16)
            if not data:
                break
            number += data
    os.close(read_end)
    if not number.strip().isdigit():
        xvfb.kill()
        fail('Xvfb did not start', [('Xvfb stderr', xvfb.communicate()[1].decode(errors='replace'))])
    return xvfb, ':' + number.decode().strip()


def run_windows(commands, envs, deadline, on_line):
    """Runs the windows until all have exited, reading their stdout as it
    comes and giving each line to on_line(index, line, process); kills them
    all at the deadline. Returns whether time ran out, and
    [(code, stdout, stderr)]."""
    procs = [subprocess.Popen(c, env=e, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for c, e in zip(commands, envs)]
    outs = [[b'', b''] for _ in procs]
    seen = [0 for _ in procs]
    open_pipes = 0
    with selectors.DefaultSelector() as selector:
        for i, p in enumerate(procs):
            selector.register(p.stdout, selectors.EVENT_READ, (i, 0))
            selector.register(p.stderr, selectors.EVENT_READ, (i, 1))
            open_pipes += 2
        while open_pipes > 0:
            left = deadline - time.monotonic()
            events = selector.select(left) if left > 0 else []
            if not events:
                break
            for key, _ in events:
                i, which = key.data
                data = os.read(key.fd, 65536)
                if data:
                    outs[i][which] += data
                    while which == 0 and b'\n' in outs[i][0][seen[i]:]:
                        end = outs[i][0].index(b'\n', seen[i])
                        on_line(i, outs[i][0][seen[i]:end].decode(errors='replace'), procs[i])
                        seen[i] = end + 1
                else:
                    selector.unregister(key.fileobj)
                    open_pipes -= 1
    timed_out = open_pipes > 0
    results = []
    for p, (out, err) in zip(procs, outs):
        if timed_out:
            p.kill()
        left = max(deadline - time.monotonic(), 1)
        try:
            code = p.wait(timeout=left)
        except subprocess.TimeoutExpired:
            p.kill()
            code = p.wait()
            timed_out = True
        p.stdout.close()
        p.stderr.close()
        results.append((code, out.decode(errors='replace'), err.decode(errors='replace')))
    return timed_out, results


def check_window(name, lines, me, peer, mine, theirs):
    """The lines a window printed: what must be there, in which order."""
    def index(line):
        try:
            return lines.index(line)
        except ValueError:
            return None

    wanted = [f'title: Chat with {peer}',
              'status: Connected, encrypted (TLS)',
              f'typing: {peer} is typing…',
              f'message: in {peer}: {theirs}',
              f'message: out {me}: {mine}',
              f'mark: ✓ {mine}',
              f'mark: ✓✓ {mine}']
    missing = [line for line in wanted if index(line) is None]
    if missing:
        return f'the window of {name} did not show {missing}'
    # The peer types before its message comes, and ✓ comes before ✓✓.
    if index(wanted[2]) > index(wanted[3]):
        return f'the window of {name} showed "is typing…" after the message'
    if not index(wanted[4]) < index(wanted[5]) < index(wanted[6]):
        return f'the window of {name} showed the marks of its message out of order'
    if any(line.startswith('mark: ✗') for line in lines):
        return f'the window of {name} showed a message as not delivered'
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--missing')
    parser.add_argument('gtk_chat', nargs='?')
    args = parser.parse_args()

    if args.missing:
        skip(f'{args.missing} was not found when msrp-glib was configured')
    if shutil.which('Xvfb') is None:
        skip('Xvfb is not installed (Debian package xvfb)')

    deadline = time.monotonic() + TIMEOUT
    servers = []
    with tempfile.TemporaryDirectory() as tmp:
        runtime = os.path.join(tmp, 'runtime')
        os.mkdir(runtime, 0o700)
        env = dict(os.environ,
                   GDK_BACKEND='x11',
                   # Software drawing, no accessibility bus, no session
                   # bus (a missing one makes GApplication run alone), no
                   # dconf: nothing outside the test is needed or touched.
                   GSK_RENDERER='cairo',
                   GTK_A11Y='none',
                   NO_AT_BRIDGE='1',
                   DBUS_SESSION_BUS_ADDRESS='unix:path=' + os.path.join(tmp, 'no-bus'),
                   GSETTINGS_BACKEND='memory',
                   XDG_RUNTIME_DIR=runtime,
                   GDK_DEBUG='gl-disable',
                   G_DEBUG='fatal-criticals',
                   LC_ALL='C.UTF-8')
        env.pop('WAYLAND_DISPLAY', None)
        # In a sanitizer build, what fontconfig keeps until exit is no leak
        # of ours.
        suppressions = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lsan.supp')
        env['LSAN_OPTIONS'] = ':'.join(filter(None, [os.environ.get('LSAN_OPTIONS'),
                                                     f'suppressions={suppressions}',
                                                     'print_suppressions=0']))
        offer = os.path.join(tmp, 'offer.sdp')
        answer = os.path.join(tmp, 'answer.sdp')
        files = ['--offer-file', offer, '--answer-file', answer, '--host', '127.0.0.1']
        # Alice ends the chat once done; Bob's window stays open, showing
        # that the peer ended it, until the test stops it as Ctrl-C would.
        # Bob is given no --remote-identity: his title learns Alice from
        # her message.
        alice = [args.gtk_chat] + files + ['--local-identity', ALICE, '--remote-identity', BOB,
                                           '--send', ALICE_TEXT, '--quit-after', '1']
        bob = [args.gtk_chat] + files + ['--answer', '--local-identity', BOB, '--send', BOB_TEXT]

        def on_line(index, line, process):
            if index == 1 and line == PEER_ENDED:
                process.send_signal(signal.SIGINT)
        try:
            # A screen each, as two people have: with no window manager,
            # the one window of a screen gets the focus, and a window marks
            # messages displayed only while it has the focus.
            envs = []
            for _ in range(2):
                xvfb, display = start_xvfb(deadline)
                servers.append(xvfb)
                envs.append(dict(env, DISPLAY=display))
            timed_out, results = run_windows([alice, bob], envs, deadline, on_line)
        finally:
            for xvfb in servers:
                xvfb.terminate()
                try:
                    xvfb.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    xvfb.kill()
                    xvfb.wait()
                xvfb.stderr.close()

    outputs = []
    for name, (code, out, err) in zip(['Alice', 'Bob'], results):
        outputs += [(f'{name} (exit {code}) stdout', out), (f'{name} stderr', err)]
    if timed_out:
        fail(f'the windows did not finish within {TIMEOUT} s', outputs)
    if any(code != 0 for code, _, _ in results):
        fail('a window did not exit 0', outputs)
    if any(err for _, _, err in results):
        fail('a window printed on stderr', outputs)

    problem = (check_window('Alice', results[0][1].splitlines(), 'Alice', 'Bob B.',
                            ALICE_TEXT, BOB_TEXT)
               or check_window('Bob', results[1][1].splitlines(), 'Bob B.', 'Alice',
                               BOB_TEXT, ALICE_TEXT))
    if not problem and 'status: You ended the chat' not in results[0][1].splitlines():
        problem = 'the window of Alice did not end the chat'
    if not problem and PEER_ENDED not in results[1][1].splitlines():
        problem = 'the window of Bob did not show that Alice ended the chat'
    if problem:
        fail(problem, outputs)
    print('two GTK windows chatted under Xvfb: ok')
    for name, (code, out, err) in zip(['Alice', 'Bob'], results):
        print(f'--- {name}:\n{out}', end='')


if __name__ == '__main__':
    main()
