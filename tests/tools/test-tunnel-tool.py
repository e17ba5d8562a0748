#!/usr/bin/python3
# test-tunnel-tool.py: `msrp tunnel` forwarding a TCP echo server
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Usage: test-tunnel-tool.py MSRP [tls|tcp]. A thread runs an echo server;
# one `msrp tunnel --serve` points at it, one `msrp tunnel --listen-port 0`
# takes a client; the bytes sent come back through both tunnels, and both
# processes exit 0 once the client has closed. Exits non-zero on failure.

import hashlib
import os
import socket
import subprocess
import sys
import tempfile
import threading

TIMEOUT = 30


def fail(message):
    print('FAIL: ' + message, file=sys.stderr)
    sys.exit(1)


def echo_server():
    server = socket.socket()
    server.bind(('127.0.0.1', 0))
    server.listen(1)

    def serve():
        conn, _ = server.accept()
        with conn:
            while True:
                data = conn.recv(65536)
                if not data:
                    break
                conn.sendall(data)
        server.close()

    threading.Thread(target=serve, daemon=True).start()
    return server.getsockname()[1]


def main():
    msrp = sys.argv[1]
    tls = len(sys.argv) < 3 or sys.argv[2] == 'tls'
    port = echo_server()
    with tempfile.TemporaryDirectory(prefix='msrp-tunnel-') as tmp:
        files = ['--offer-file', os.path.join(tmp, 'offer.sdp'),
                 '--answer-file', os.path.join(tmp, 'answer.sdp')]
        extra = [] if tls else ['--no-tls']
        serving = subprocess.Popen([msrp, 'tunnel', '--offer', '--serve', f'127.0.0.1:{port}'] + files + extra,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        viewing = subprocess.Popen([msrp, 'tunnel', '--answer', '--listen-port', '0'] + files + extra,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            line = viewing.stdout.readline()
            if not line.startswith('listening on '):
                fail(f'unexpected first line {line!r}')
            client = socket.create_connection(('127.0.0.1', int(line.split()[2])), timeout=TIMEOUT)
            data = os.urandom(3 * 1024 * 1024 + 11)
            received = bytearray()

            def send():
                client.sendall(data)
                client.shutdown(socket.SHUT_WR)

            sender = threading.Thread(target=send)
            sender.start()
            while True:
                piece = client.recv(65536)
                if not piece:
                    break
                received += piece
            sender.join()
            client.close()
            if hashlib.sha256(received).hexdigest() != hashlib.sha256(data).hexdigest():
                fail(f'{len(received)} bytes came back, not the {len(data)} sent')
            for name, process in (('serve', serving), ('listen', viewing)):
                process.wait(timeout=TIMEOUT)
                err = process.stderr.read()
                if process.returncode != 0:
                    fail(f'msrp tunnel ({name}) exited with {process.returncode}: {err}')
        finally:
            for process in (serving, viewing):
                if process.poll() is None:
                    process.kill()
                    process.wait()
    print(f'ok: {len(data)} bytes through the tunnel and back')


if __name__ == '__main__':
    main()
