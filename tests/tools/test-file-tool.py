#!/usr/bin/env python3
# test-file-tool.py: `msrp file` as people and scripts use it.
#
#   test-file-tool.py MSRP push     send and receive, text output, TLS and plain TCP
#   test-file-tool.py MSRP pull     pull NAME answered by send --answer
#   test-file-tool.py MSRP resume   the receiver stops mid-way (as if killed); --resume
#                                   continues push and pull from the partial file
#   test-file-tool.py MSRP json     --json events on both sides, the offer on stdout
#   test-file-tool.py MSRP errors   command-line errors: one line, exit status 2
#
# Every wait is bounded: a test that sees nothing within TIMEOUT fails.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile

import harness
from harness import check, fail

TIMEOUT = harness.TIMEOUT = 60
MSRP = None
SIZE = 8 * 1024 * 1024 + 11


def start(*args, cwd):
    return subprocess.Popen([MSRP, 'file', *args], cwd=cwd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process, name):
    try:
        out, err = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        fail(f'{name} did not finish: {out!r} {err!r}')
    # GLib writes sizes with a no-break space.
    return process.returncode, out.replace('\xa0', ' '), err


def events(out):
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def sdp_files(work):
    offer, answer = os.path.join(work, 'offer.sdp'), os.path.join(work, 'answer.sdp')
    for path in (offer, answer):
        if os.path.exists(path):
            os.unlink(path)
    return ['--offer-file', offer, '--answer-file', answer]


def make_source(work):
    data = os.urandom(SIZE)
    path = os.path.join(work, 'data.bin')
    with open(path, 'wb') as f:
        f.write(data)
    return path, data


def check_same(path, data):
    check(os.path.exists(path), f'{path} is missing')
    with open(path, 'rb') as f:
        got = f.read()
    check(hashlib.sha1(got).digest() == hashlib.sha1(data).digest(),
          f'{path}: {len(got)} bytes, not the {len(data)} sent')


def pair(work, sender_args, receiver_args, receiver_first=True):
    sdp = sdp_files(work)
    if receiver_first:
        receiver = start(*receiver_args, *sdp, cwd=work)
        sender = start(*sender_args, *sdp, cwd=work)
    else:
        sender = start(*sender_args, *sdp, cwd=work)
        receiver = start(*receiver_args, *sdp, cwd=work)
    return finish(sender, 'sender'), finish(receiver, 'receiver')


def test_push(work):
    source, data = make_source(work)
    os.mkdir(os.path.join(work, 'in'))
    (rc, out, err), (rrc, rout, rerr) = pair(work, ['send', source], ['receive', '--dir', 'in'])
    check(rc == 0 and rrc == 0, f'exit {rc}/{rrc}: {err} {rerr}')
    check_same(os.path.join(work, 'in', 'data.bin'), data)
    check('Sending data.bin (8.0 MiB)' in out, out)
    check('Sent ' in out, out)
    check('Receiving data.bin' in rout and 'SHA-1 hash checked' in rout, rout)
    check(err == '' and rerr == '', f'not a terminal, so no progress bar: {err!r} {rerr!r}')
    check(not [n for n in os.listdir(os.path.join(work, 'in')) if n.startswith('.')],
          'the partial file is gone')

    # Plain TCP, the sender first; a file that exists already is refused.
    os.unlink(os.path.join(work, 'in', 'data.bin'))
    (rc, out, err), (rrc, rout, rerr) = pair(work, ['send', '--no-tls', source], ['receive', '--dir', 'in'],
                                             receiver_first=False)
    check(rc == 0 and rrc == 0, f'exit {rc}/{rrc}: {err} {rerr}')
    check_same(os.path.join(work, 'in', 'data.bin'), data)
    sdp = sdp_files(work)
    sender = start('send', source, *sdp, cwd=work)
    rrc, rout, rerr = finish(start('receive', '--dir', 'in', *sdp, cwd=work), 'receiver')
    check(rrc == 1 and 'exists already' in rerr, f'exit {rrc}: {rerr}')
    sender.send_signal(signal.SIGTERM)
    rc, out, err = finish(sender, 'sender')
    check(rc == 1 and 'interrupted' in err, f'{rc} {err!r}')


def test_pull(work):
    source, data = make_source(work)
    os.mkdir(os.path.join(work, 'in'))
    (rc, out, err), (rrc, rout, rerr) = pair(work, ['send', '--answer', '--json', source],
                                             ['pull', 'data.bin', '--size', str(SIZE), '--dir', 'in', '--json'],
                                             receiver_first=False)
    check(rc == 0 and rrc == 0, f'exit {rc}/{rrc}: {err} {rerr}')
    check_same(os.path.join(work, 'in', 'data.bin'), data)
    check(events(rout)[-1]['event'] == 'ended', rout)

    # The sender answers only for the file asked for; the puller waits for
    # an answer that does not come (SIP would have said no) until stopped.
    sdp = sdp_files(work)
    puller = start('pull', 'data.bin', '--size', '5', '--dir', 'in', *sdp, cwd=work)
    rc, out, err = finish(start('send', '--answer', source, *sdp, cwd=work), 'sender')
    check(rc == 1, f'a pull of another size is refused: {rc} {err}')
    check(err.startswith('msrp: ') and err.count('\n') == 1, f'one error line: {err!r}')
    puller.send_signal(signal.SIGINT)
    rc, out, err = finish(puller, 'puller')
    check(rc == 1 and 'interrupted' in err, f'{rc} {err!r}')


def interrupted_then_resumed(work, sender_args, receiver_args, receiver_first):
    """The receiver exits at once after its first bytes, as if killed; the
    same command with --resume gets only the rest."""
    partial = os.path.join(work, 'in', '.data.bin.part')
    (rc, out, err), (rrc, rout, rerr) = pair(work, sender_args,
                                             [*receiver_args, '--stop-after-bytes', '1'], receiver_first)
    check(rrc == 1, f'the receiver stopped: {rrc} {rerr}')
    check(rc == 1 and events(out)[-1]['event'] == 'failed', f'the sender saw it: {rc} {out}')
    check(os.path.exists(partial), 'the partial file is kept')
    kept = os.path.getsize(partial)
    check(0 < kept < SIZE, f'partial file of {kept} bytes')
    check(not os.path.exists(os.path.join(work, 'in', 'data.bin')), 'nothing under the name')

    (rc, out, err), (rrc, rout, rerr) = pair(work, sender_args, [*receiver_args, '--resume'], receiver_first)
    check(rc == 0 and rrc == 0, f'exit {rc}/{rrc}: {err} {rerr}')
    started = [e for e in events(rout) if e['event'] == 'started'][0]
    check(started['offset'] == kept, f'resumed at {started}, {kept} kept')
    sender_started = [e for e in events(out) if e['event'] == 'started'][0]
    check(sender_started['offset'] == kept, f'the sender sent from {sender_started}')
    ended = events(rout)[-1]
    check(ended['event'] == 'ended' and ended['bytes'] == SIZE, rout)
    check(not os.path.exists(partial), 'the partial file is gone')
    return kept


def test_resume(work):
    source, data = make_source(work)
    os.mkdir(os.path.join(work, 'in'))
    destination = os.path.join(work, 'in', 'data.bin')
    interrupted_then_resumed(work, ['send', '--json', source], ['receive', '--dir', 'in', '--json'], True)
    check_same(destination, data)

    os.unlink(destination)
    digest = hashlib.sha1(data).hexdigest().upper()
    sha1 = 'sha-1:' + ':'.join(digest[i:i + 2] for i in range(0, 40, 2))
    interrupted_then_resumed(work, ['send', '--answer', '--json', source],
                             ['pull', 'data.bin', '--size', str(SIZE), '--hash', sha1, '--dir', 'in', '--json'],
                             False)
    check_same(destination, data)

    # Without --resume the partial file is not continued.
    os.unlink(destination)
    pair(work, ['send', '--json', source], ['receive', '--dir', 'in', '--json', '--stop-after-bytes', '1'])
    (rc, out, err), (rrc, rout, rerr) = pair(work, ['send', '--json', source], ['receive', '--dir', 'in', '--json'])
    check(rc == 0 and rrc == 0, f'exit {rc}/{rrc}: {err} {rerr}')
    check(events(rout)[0]['offset'] == 0, rout)
    check_same(destination, data)


def test_json(work):
    source, data = make_source(work)
    answer = os.path.join(work, 'answer.sdp')
    if os.path.exists(answer):
        os.unlink(answer)
    sender = start('send', '--json', source, '--offer-file', '-', '--answer-file', answer, cwd=work)
    first = json.loads(sender.stdout.readline())
    check(first['event'] == 'offer' and 'a=file-selector:' in first['sdp'], first)
    check('a=sendonly' in first['sdp'], first)
    offer = os.path.join(work, 'offer-copy.sdp')
    with open(offer, 'w') as f:
        f.write(first['sdp'])
    os.mkdir(os.path.join(work, 'in'))
    receiver = start('receive', '--json', '--dir', 'in', '--offer-file', offer, '--answer-file', answer, cwd=work)
    rc, out, err = finish(sender, 'sender')
    rrc, rout, rerr = finish(receiver, 'receiver')
    check(rc == 0 and rrc == 0, f'exit {rc}/{rrc}: {err} {rerr}')
    check_same(os.path.join(work, 'in', 'data.bin'), data)
    for name, lines in (('sender', out), ('receiver', rout)):
        got = events(lines)
        kinds = [e['event'] for e in got]
        check(kinds[0] == 'started' and kinds[-1] == 'ended', f'{name}: {kinds}')
        check(set(kinds[1:-1]) <= {'progress'}, f'{name}: {kinds}')
        check(got[0]['name'] == 'data.bin' and got[0]['size'] == SIZE and got[0]['offset'] == 0, got[0])
        progress = [e['bytes'] for e in got if e['event'] == 'progress']
        check(progress == sorted(progress) and all(0 < b <= SIZE for b in progress), progress)
        check(got[-1]['bytes'] == SIZE and got[-1]['seconds'] >= 0, got[-1])
    check(rerr == '' and err == '', f'{err!r} {rerr!r}')


def test_errors(work):
    source, _ = make_source(work)
    sdp = sdp_files(work)
    cases = [
        ([], 'give'),
        (['send'], 'give'),
        (['receive', 'extra', *sdp], 'give'),
        (['send', source], 'required'),
        (['receive', '--answer', *sdp], '--answer'),
        (['send', source, '--resume', *sdp], '--resume'),
        (['receive', '--size', '5', *sdp], '--size'),
        (['pull', 'x', '--size', 'lots', *sdp], 'size'),
        (['send', source, '--offer-file', 'o', '--answer-file', '-'], "cannot be '-'"),
        (['send', source, '--bogus', *sdp], 'bogus'),
    ]
    for args, words in cases:
        rc, out, err = finish(start(*args, cwd=work), ' '.join(args))
        check(rc == 2, f'{args}: exit {rc}')
        check(err.startswith('msrp: ') and err.count('\n') == 1 and words in err, f'{args}: {err!r}')
    # A missing file fails when it is read, with the reason.
    rc, out, err = finish(start('send', os.path.join(work, 'nothing'), *sdp, cwd=work), 'missing')
    check(rc == 1 and 'nothing' in err, f'{rc} {err!r}')
    # A hostile offer: no name and no size. Refused in one line, no crash,
    # nothing written.
    sdp = sdp_files(work)
    with open(sdp[1], 'w') as f:
        f.write('m=message 9 TCP/MSRP *\r\nc=IN IP4 127.0.0.1\r\n'
                'a=path:msrp://127.0.0.1:9/x;tcp\r\na=accept-types:*\r\na=sendonly\r\n'
                'a=file-selector:type:text/plain\r\n')
    before = set(os.listdir(work))
    rc, out, err = finish(start('receive', '--dir', work, *sdp, cwd=work), 'no size')
    check(rc != 0 and 'size' in err and err.count('\n') == 1, f'{rc} {err!r}')
    check(set(os.listdir(work)) == before, f'wrote {set(os.listdir(work)) - before}')


def main():
    global MSRP
    MSRP = os.path.abspath(sys.argv[1])
    test = {'push': test_push, 'pull': test_pull, 'resume': test_resume, 'json': test_json,
            'errors': test_errors}[sys.argv[2]]
    with tempfile.TemporaryDirectory(prefix='msrp-file-tool-') as work:
        test(work)
    print('ok')


if __name__ == '__main__':
    main()
