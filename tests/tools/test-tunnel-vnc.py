#!/usr/bin/python3
# test-tunnel-vnc.py: a real VNC session through `msrp tunnel`
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Usage: test-tunnel-vnc.py MSRP. Xvfb shows a fixed pattern (xsetroot
# -bitmap), x11vnc serves it; `msrp tunnel --offer --serve` points at
# x11vnc and `msrp tunnel --answer --listen-port 0` takes the viewer. Each
# VNC client found (gvnccapture, vncsnapshot) takes one screenshot directly
# and one through the tunnel: they must have the same size and the same
# pixels, and both tunnel processes must exit 0 after the viewer leaves.
#
# Without Xvfb, xsetroot, x11vnc or a capture client the test is skipped
# (exit 77), unless MSRP_TEST_REQUIRE_VNC is set, as CI sets it: then it
# fails. Debian packages: xvfb x11-xserver-utils x11vnc gvncviewer
# vncsnapshot.

import os
import queue
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib

TIMEOUT = 30
WIDTH, HEIGHT = 320, 200

# A 16x16 pattern with no symmetry, so that a shifted or mirrored picture
# does not compare equal by chance.
PATTERN_XBM = '''#define p_width 16
#define p_height 16
static unsigned char p_bits[] = {
   0x01, 0x00, 0x03, 0x00, 0x07, 0x80, 0x0f, 0xc0, 0x1f, 0x60, 0x3f, 0x30,
   0x7f, 0x18, 0xff, 0x0c, 0x00, 0x06, 0x00, 0x03, 0x80, 0x01, 0xc0, 0x00,
   0x60, 0x00, 0x30, 0x00, 0xf8, 0xff, 0x0c, 0x00};
'''


def fail(message):
    print('FAIL: ' + message, file=sys.stderr)
    sys.exit(1)


def skip_or_fail(reason):
    if os.environ.get('MSRP_TEST_REQUIRE_VNC'):
        fail(f'{reason} (MSRP_TEST_REQUIRE_VNC is set: install it)')
    print(f'SKIP: {reason}')
    sys.exit(77)


class Lines:
    '''A process's output read by a thread, so that waiting for a line has
    a deadline instead of blocking on the pipe.'''

    def __init__(self, stream):
        self.queue = queue.Queue()
        self.seen = []

        def read():
            for line in stream:
                self.queue.put(line)
            self.queue.put(None)

        threading.Thread(target=read, daemon=True).start()

    def wait_for(self, prefix, what):
        deadline = time.monotonic() + TIMEOUT
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                fail(f'no {what} within {TIMEOUT} s; output: {self.seen}')
            try:
                line = self.queue.get(timeout=left)
            except queue.Empty:
                continue
            if line is None:
                fail(f'{what}: the process ended first; output: {self.seen}')
            self.seen.append(line)
            if line.startswith(prefix):
                return line[len(prefix):].strip()


def png_pixels(path):
    '''(width, height, colour type, rows) of an 8-bit non-interlaced PNG,
    as gvnccapture writes them; the rows unfiltered.'''
    with open(path, 'rb') as f:
        data = f.read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        fail(f'{path} is not a PNG')
    pos, idat = 8, b''
    while pos < len(data):
        length, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b'IHDR':
            width, height, depth, colour, _, _, interlace = struct.unpack('>IIBBBBB', body)
            if depth != 8 or interlace != 0:
                fail(f'{path}: depth {depth}, interlace {interlace} not handled')
        elif kind == b'IDAT':
            idat += body
        pos += 12 + length
    bpp = {2: 3, 6: 4}.get(colour)
    if bpp is None:
        fail(f'{path}: colour type {colour} not handled')
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = previous[i]
            c = previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 0xff
            elif kind == 2:
                line[i] = (line[i] + b) & 0xff
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xff
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xff
        rows.append(bytes(line))
        previous = line
    return width, height, colour, rows


def compare_png(direct, tunnelled):
    d, t = png_pixels(direct), png_pixels(tunnelled)
    if d[:3] != t[:3]:
        fail(f'direct {d[:3]} and tunnelled {t[:3]} screenshots differ in size or format')
    if (d[0], d[1]) != (WIDTH, HEIGHT):
        fail(f'the screenshot is {d[0]}x{d[1]}, not the {WIDTH}x{HEIGHT} screen')
    for y, (a, b) in enumerate(zip(d[3], t[3])):
        if a != b:
            fail(f'row {y} differs between the direct and the tunnelled screenshot')
    # Both pattern colours are there: not a blank screen twice.
    bpp = 3 if d[2] == 2 else 4
    colours = {row[i:i + 3] for row in d[3] for i in range(0, len(row), bpp)}
    if colours != {b'\xff\x00\x00', b'\x00\x00\xff'}:
        fail(f'the screenshot does not show the pattern: colours {sorted(colours)[:4]}')


def compare_bytes(direct, tunnelled):
    # vncsnapshot writes JPEG: the same pixels through the same encoder give
    # the same file.
    with open(direct, 'rb') as f:
        a = f.read()
    with open(tunnelled, 'rb') as f:
        b = f.read()
    if not a:
        fail(f'{direct} is empty')
    if a != b:
        fail(f'the direct ({len(a)} bytes) and tunnelled ({len(b)} bytes) snapshots differ')


def capture_gvnccapture(tool, port, path):
    # gvnccapture takes a display number, port 5900 + N.
    if port < 5900:
        fail(f'port {port} is below 5900: gvnccapture cannot name it')
    return [tool, '--quiet', f'127.0.0.1:{port - 5900}', path]


def capture_vncsnapshot(tool, port, path):
    return [tool, '-quiet', '-nocursor', f'127.0.0.1::{port}', path]


CLIENTS = [
    ('gvnccapture', 'png', capture_gvnccapture, compare_png),
    ('vncsnapshot', 'jpg', capture_vncsnapshot, compare_bytes),
]


def run(args):
    try:
        result = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        fail(f'{args[0]} took more than {TIMEOUT} s')
    if result.returncode != 0:
        fail(f'{" ".join(args)} exited with {result.returncode}: {result.stderr}')


def main():
    msrp = sys.argv[1]
    tools = {name: shutil.which(name) for name in ('Xvfb', 'xsetroot', 'x11vnc')}
    missing = [name for name, path in tools.items() if path is None]
    if missing:
        skip_or_fail(f'{", ".join(missing)} not found')
    clients = [(shutil.which(c[0]),) + c for c in CLIENTS if shutil.which(c[0])]
    if not clients:
        skip_or_fail('no VNC capture client (gvnccapture or vncsnapshot) found')

    processes = []

    with tempfile.TemporaryDirectory(prefix='msrp-tunnel-vnc-') as tmp:
        # stderr goes to files: x11vnc says a lot there, and a full pipe
        # would stop it.
        def start(name, args, **kwargs):
            log = open(os.path.join(tmp, name + '.log'), 'w+')
            process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=log,
                                       text=True, **kwargs)
            process.log = log
            processes.append(process)
            return process

        try:
            # Xvfb picks a free display and writes its number on the pipe;
            # -noreset keeps the pattern when xsetroot, its only client, leaves.
            read_fd, write_fd = os.pipe()
            start('Xvfb', [tools['Xvfb'], '-displayfd', str(write_fd), '-nolisten', 'tcp', '-noreset',
                          '-screen', '0', f'{WIDTH}x{HEIGHT}x24'], pass_fds=(write_fd,))
            os.close(write_fd)
            display = ':' + Lines(os.fdopen(read_fd)).wait_for('', 'Xvfb display number')
            env = dict(os.environ, DISPLAY=display)

            xbm = os.path.join(tmp, 'pattern.xbm')
            with open(xbm, 'w') as f:
                f.write(PATTERN_XBM)
            result = subprocess.run([tools['xsetroot'], '-bitmap', xbm, '-fg', 'red', '-bg', 'blue'],
                                    env=env, capture_output=True, text=True, timeout=TIMEOUT)
            if result.returncode != 0:
                fail(f'xsetroot failed: {result.stderr}')

            # x11vnc takes the first free port from 5900 and prints it.
            x11vnc = start('x11vnc', [tools['x11vnc'], '-display', display, '-localhost', '-nopw',
                            '-forever', '-shared', '-nocursor'], env=env)
            vnc_port = int(Lines(x11vnc.stdout).wait_for('PORT=', 'x11vnc port'))

            for path, name, ext, command, compare in clients:
                direct = os.path.join(tmp, f'{name}-direct.{ext}')
                tunnelled = os.path.join(tmp, f'{name}-tunnel.{ext}')
                run(command(path, vnc_port, direct))

                files = ['--offer-file', os.path.join(tmp, f'{name}-offer.sdp'),
                         '--answer-file', os.path.join(tmp, f'{name}-answer.sdp')]
                serving = start(f'{name}-serve', [msrp, 'tunnel', '--offer', '--serve', f'127.0.0.1:{vnc_port}'] + files)
                viewing = start(f'{name}-listen', [msrp, 'tunnel', '--answer', '--listen-port', '0'] + files)
                port = int(Lines(viewing.stdout).wait_for('listening on ', 'the tunnel port'))
                run(command(path, port, tunnelled))
                for side, process in (('serve', serving), ('listen', viewing)):
                    try:
                        process.wait(timeout=TIMEOUT)
                    except subprocess.TimeoutExpired:
                        fail(f'msrp tunnel ({side}) still runs {TIMEOUT} s after the viewer left')
                    if process.returncode != 0:
                        process.log.seek(0)
                        fail(f'msrp tunnel ({side}) exited with {process.returncode}: '
                             f'{process.log.read()}')
                compare(direct, tunnelled)
                print(f'ok: {name} sees the same {WIDTH}x{HEIGHT} screen through the tunnel')
        finally:
            for process in reversed(processes):
                if process.poll() is None:
                    process.terminate()
                    try:
                        process.wait(timeout=TIMEOUT)
                    except subprocess.TimeoutExpired:
                        process.kill()
                        process.wait()
                process.log.close()


if __name__ == '__main__':
    main()
