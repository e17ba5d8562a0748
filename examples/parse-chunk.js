#!/usr/bin/env -S gjs -m
// parse-chunk.js: parse one MSRP chunk and print what is in it
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Usage: gjs -m parse-chunk.js [FILE]
//
// Without FILE it parses the first SEND of RFC 4975 section 7.2 (with the
// Byte-Range the RFC should have given it: the body is 23 bytes). A FILE must
// hold one chunk as it goes on the wire, with CRLF line ends.

import GLib from 'gi://GLib';
import Msrp from 'gi://Msrp?version=1.0';
import System from 'system';

const RFC4975_SEND =
    'MSRP a786hjs2 SEND\r\n' +
    'To-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r\n' +
    'From-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\r\n' +
    'Message-ID: 87652491\r\n' +
    'Byte-Range: 1-23/23\r\n' +
    'Content-Type: text/plain\r\n' +
    '\r\n' +
    'Hey Bob, are you there?\r\n' +
    '-------a786hjs2$\r\n';

const CONTINUATION_FLAGS = {
    [Msrp.Continuation.END]: '$',
    [Msrp.Continuation.MORE]: '+',
    [Msrp.Continuation.ABORT]: '#',
};

function printPath(name, path) {
    print(`${name}:`);
    if (path === null) {
        print('  (missing or invalid)');
        return;
    }
    for (const uri of path) {
        print(`  ${uri.to_string()}`);
        const sessionId = uri.get_session_id() ?? '(none)';
        print(`    host ${uri.get_host()}, port ${uri.get_port()}, session-id ${sessionId}`);
    }
}

function rangePart(value) {
    return value < 0 ? '*' : `${value}`;
}

function main(args) {
    if (args.length > 1) {
        printerr('Usage: gjs -m parse-chunk.js [FILE]');
        return 2;
    }

    let data;
    if (args.length === 1) {
        try {
            const [, contents] = GLib.file_get_contents(args[0]);
            data = new GLib.Bytes(contents);
        } catch (e) {
            printerr(e.message);
            return 1;
        }
    } else {
        data = new GLib.Bytes(new TextEncoder().encode(RFC4975_SEND));
    }

    let chunk, consumed;
    try {
        [chunk, consumed] = Msrp.Chunk.parse(data);
    } catch (e) {
        printerr(`Cannot parse the chunk: ${e.message}`);
        return 1;
    }

    if (chunk.is_request())
        print(`Method: ${chunk.get_method()}`);
    else
        print(`Response: ${chunk.get_code()} ${chunk.get_comment() ?? ''}`);
    print(`Transaction ID: ${chunk.get_transaction_id()}`);
    print(`Continuation: ${CONTINUATION_FLAGS[chunk.get_continuation()]}`);

    print('Headers:');
    for (const name of chunk.get_header_names())
        print(`  ${name}: ${chunk.get_header(name)}`);

    printPath('To-Path', chunk.get_to_path());
    printPath('From-Path', chunk.get_from_path());

    const [, start, end, total] = chunk.get_byte_range();
    print(`Byte-Range: ${start}-${rangePart(end)}/${rangePart(total)}`);

    const body = chunk.get_data();
    if (body === null) {
        print('No body');
    } else {
        print(`Body (${body.get_size()} bytes):`);
        print(new TextDecoder().decode(body.toArray()));
    }

    if (consumed < data.get_size())
        print(`(${data.get_size() - consumed} more bytes follow the chunk)`);

    // What a receiver checks before it acts on a request.
    if (chunk.is_request()) {
        try {
            chunk.verify_headers();
        } catch (e) {
            printerr(`A receiver would answer ${e.code}: ${e.message}`);
            return 1;
        }
    }

    return 0;
}

System.exit(main(ARGV));
