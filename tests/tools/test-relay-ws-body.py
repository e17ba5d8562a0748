#!/usr/bin/env python3
# test-relay-ws-body.py: an unauthenticated client that sends a large HTTP
# body to `msrp relay --ws-port` instead of a WebSocket upgrade does not
# make the relay keep it.
#
#   test-relay-ws-body.py MSRP
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import re
import socket
import subprocess
import sys

SIZE = 96 * 1024 * 1024
LIMIT_KB = 48 * 1024


def main():
    # Under AddressSanitizer freed memory waits in a quarantine: without
    # one, the peak measures what is held, as in a normal build.
    env = dict(os.environ)
    env['ASAN_OPTIONS'] = ':'.join(filter(None, [env.get('ASAN_OPTIONS'), 'quarantine_size_mb=0',
                                                 'thread_local_quarantine_size_kb=0']))
    relay = subprocess.Popen([sys.argv[1], 'relay', '--port', '0', '--ws-port', '0', '--user', 'a:b'],
                             stdout=subprocess.PIPE, text=True, env=env)
    try:
        port = None
        for _ in range(2):
            match = re.search(r':(\d+);ws', relay.stdout.readline())
            if match:
                port = int(match.group(1))
        if port is None:
            sys.exit('FAIL: no WebSocket URI from msrp relay')
        with socket.create_connection(('127.0.0.1', port), timeout=30) as s:
            s.sendall(b'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n' % SIZE)
            chunk = b'x' * 65536
            for _ in range(SIZE // len(chunk)):
                s.sendall(chunk)
        with open('/proc/%d/status' % relay.pid) as f:
            peak = next(int(line.split()[1]) for line in f if line.startswith('VmHWM'))
        if peak > LIMIT_KB:
            sys.exit(f'FAIL: the relay peaked at {peak} kB after a {SIZE >> 20} MiB body')
        print(f'ok: peak {peak} kB')
    finally:
        relay.kill()
        relay.wait()


if __name__ == '__main__':
    main()
