#!/usr/bin/python3
# run-pair.py: runs a receiver example and a sender example against each
# other, as two processes on loopback, and checks what both print.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Usage: run-pair.py [--gjs GJS] RECEIVER SENDER
#
# RECEIVER and SENDER are example programs: a .py runs with this Python, a
# .js with gjs, anything else is an executable (receiver.c, receiver.vala).
# The receiver is told to wait for 2 messages; the sender is given the
# receiver's path and a 100000-byte file, so it sends a text message and the
# file (in two chunks), each with Success-Report: yes. Both must exit 0
# having printed every step: the path, the peer, both messages with their
# sizes, both REPORTs (for the Message-IDs that were sent), both answers,
# and the end of the session.

import argparse
import os
import queue
import random
import re
import subprocess
import sys
import tempfile
import threading

FILE_SIZE = 100000
TIMEOUT = 30


def command(program, gjs):
    if program.endswith('.py'):
        return [sys.executable, program]
    if program.endswith('.js'):
        return [gjs, '-m', program]
    return [program]


def language(program):
    name = os.path.basename(program)
    if name.endswith('.py'):
        return 'Python'
    if name.endswith('.js'):
        return 'JavaScript'
    return 'Vala' if 'vala' in name else 'C'


def fail(message, *outputs):
    print(f'FAIL: {message}', file=sys.stderr)
    for name, text in outputs:
        print(f'--- {name}:\n{text}', file=sys.stderr)
    sys.exit(1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--gjs', default='gjs')
    parser.add_argument('receiver')
    parser.add_argument('sender')
    args = parser.parse_args()

    env = dict(os.environ, G_DEBUG='fatal-criticals', LC_ALL='C.UTF-8')
    text = f'Hello from {language(args.sender)}'

    with tempfile.TemporaryDirectory() as tmp:
        file_name = os.path.join(tmp, 'data.bin')
        with open(file_name, 'wb') as f:
            f.write(random.Random(4975).randbytes(FILE_SIZE))

        receiver = subprocess.Popen(command(args.receiver, args.gjs) + ['2'], env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # The first line is the path; read it without waiting forever.
        lines = queue.Queue()
        threading.Thread(target=lambda: lines.put(receiver.stdout.readline()), daemon=True).start()
        try:
            first = lines.get(timeout=TIMEOUT)
        except queue.Empty:
            receiver.kill()
            fail('the receiver printed no path', ('receiver stderr', receiver.communicate()[1]))
        match = re.fullmatch(r'a=path:(msrp://127\.0\.0\.1:\d+/\S+;tcp)\n', first)
        if match is None:
            receiver.kill()
            out, err = receiver.communicate()
            fail(f'the first line is not a path: {first!r}', ('receiver stdout', out),
                 ('receiver stderr', err))
        path = match.group(1)

        try:
            sender = subprocess.run(command(args.sender, args.gjs) + [path, file_name], env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                    timeout=TIMEOUT)
        except subprocess.TimeoutExpired as e:
            receiver.kill()
            out, err = receiver.communicate()
            fail('the sender did not finish', ('sender stdout', e.stdout), ('sender stderr', e.stderr),
                 ('receiver stdout', out), ('receiver stderr', err))
        try:
            out, err = receiver.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            receiver.kill()
            out, err = receiver.communicate()
            fail('the receiver did not exit', ('receiver stdout', out), ('receiver stderr', err))

    outputs = [('sender stdout', sender.stdout), ('sender stderr', sender.stderr),
               ('receiver stdout', first + out), ('receiver stderr', err)]
    if receiver.returncode != 0 or sender.returncode != 0:
        fail(f'exit codes: receiver {receiver.returncode}, sender {sender.returncode}', *outputs)
    if err or sender.stderr:
        fail('something was printed on stderr', *outputs)

    # The receiver: the peer, then both messages in order.
    received = out.splitlines()
    expected = [f'received text/plain ({len(text)} bytes): {text}',
                f'received application/octet-stream ({FILE_SIZE} bytes)']
    if len(received) != 3 or not re.fullmatch(r'peer msrp://\S+;tcp', received[0]) \
       or received[1:] != expected:
        fail('the receiver did not print the peer and the two messages', *outputs)

    # The sender: the order of answers and REPORTs against completions may
    # vary, but each must be there once, and the session ends last.
    sent = sender.stdout.splitlines()
    ids = re.findall(r'^sent message (\S+)$', sender.stdout, re.M)
    ids += re.findall(rf'^sent file {re.escape(file_name)} \({FILE_SIZE} bytes\) as (\S+)$',
                      sender.stdout, re.M)
    wanted = ['connected', f'answer: got {len(text)} bytes of text/plain',
              f'answer: got {FILE_SIZE} bytes of application/octet-stream']
    wanted += [f'REPORT for {message_id}: 200 OK' for message_id in ids]
    if len(ids) != 2 or ids[0] == ids[1] or sent[0] != 'connected' \
       or sent[-1] != 'the receiver ended the session' \
       or sorted(sent[:-1]) != sorted(wanted + [line for line in sent if line.startswith('sent ')]):
        fail('the sender did not print every step once', *outputs)

    print(f'{language(args.sender)} sender -> {language(args.receiver)} receiver: ok')
    print(sender.stdout, end='')


if __name__ == '__main__':
    main()
