#!/usr/bin/python3
# parse-chunk.py: parse one MSRP chunk and print what is in it
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Usage: parse-chunk.py [FILE]
#
# Without FILE it parses the first SEND of RFC 4975 section 7.2 (with the
# Byte-Range the RFC should have given it: the body is 23 bytes). A FILE must
# hold one chunk as it goes on the wire, with CRLF line ends.

import sys

import gi
gi.require_version('Msrp', '1.0')
from gi.repository import GLib, Msrp

RFC4975_SEND = (
    b'MSRP a786hjs2 SEND\r\n'
    b'To-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r\n'
    b'From-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\r\n'
    b'Message-ID: 87652491\r\n'
    b'Byte-Range: 1-23/23\r\n'
    b'Content-Type: text/plain\r\n'
    b'\r\n'
    b'Hey Bob, are you there?\r\n'
    b'-------a786hjs2$\r\n'
)

CONTINUATION_FLAGS = {
    Msrp.Continuation.END: '$',
    Msrp.Continuation.MORE: '+',
    Msrp.Continuation.ABORT: '#',
}


def print_path(name, path):
    print(f'{name}:')
    if path is None:
        print('  (missing or invalid)')
        return
    for uri in path:
        print(f'  {uri.to_string()}')
        session_id = uri.get_session_id() or '(none)'
        print(f'    host {uri.get_host()}, port {uri.get_port()}, session-id {session_id}')


def range_part(value):
    return '*' if value < 0 else str(value)


def main(argv):
    if len(argv) > 2:
        print(f'Usage: {argv[0]} [FILE]', file=sys.stderr)
        return 2
    if len(argv) == 2:
        with open(argv[1], 'rb') as f:
            data = f.read()
    else:
        data = RFC4975_SEND
    data = GLib.Bytes.new(data)

    try:
        chunk, consumed = Msrp.Chunk.parse(data)
    except GLib.Error as e:
        print(f'Cannot parse the chunk: {e.message}', file=sys.stderr)
        return 1

    if chunk.is_request():
        print(f'Method: {chunk.get_method()}')
    else:
        print(f'Response: {chunk.get_code()} {chunk.get_comment() or ""}')
    print(f'Transaction ID: {chunk.get_transaction_id()}')
    print(f'Continuation: {CONTINUATION_FLAGS[chunk.get_continuation()]}')

    print('Headers:')
    for name in chunk.get_header_names():
        print(f'  {name}: {chunk.get_header(name)}')

    print_path('To-Path', chunk.get_to_path())
    print_path('From-Path', chunk.get_from_path())

    _, start, end, total = chunk.get_byte_range()
    print(f'Byte-Range: {start}-{range_part(end)}/{range_part(total)}')

    body = chunk.get_data()
    if body is None:
        print('No body')
    else:
        print(f'Body ({body.get_size()} bytes):')
        sys.stdout.flush()
        sys.stdout.buffer.write(body.get_data())
        sys.stdout.buffer.flush()
        print()

    if consumed < data.get_size():
        print(f'({data.get_size() - consumed} more bytes follow the chunk)')

    # What a receiver checks before it acts on a request.
    if chunk.is_request():
        try:
            chunk.verify_headers()
        except GLib.Error as e:
            print(f'A receiver would answer {e.code}: {e.message}', file=sys.stderr)
            return 1

    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
