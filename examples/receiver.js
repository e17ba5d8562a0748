#!/usr/bin/env -S gjs -m
// receiver.js: the passive end of an MSRP session. It listens on 127.0.0.1,
// prints its path, waits for a peer, prints each message that arrives and
// answers it; after N messages it ends the session and exits.
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Usage: gjs -m receiver.js [N]     (N: how many messages to wait for, default 1)
//
// The first line it prints is its path, the way the SDP attribute a=path
// would carry it; give it to a sender (sender.js, sender.c, ...).

import GLib from 'gi://GLib';
import Msrp from 'gi://Msrp?version=1.0';
import System from 'system';

const expected = ARGV.length > 0 ? parseInt(ARGV[0]) : 1;
const loop = new GLib.MainLoop(null, false);
let session = null;
let answered = 0;
let status = 0;

function fail(error) {
    printerr(`receiver: ${error.message}`);
    status = 1;
    loop.quit();
}

function onPrepared(acceptor, result) {
    let path;
    try {
        path = acceptor.prepare_finish(result);
    } catch (e) {
        return fail(e);
    }
    // Our full path. In real life it goes into our SDP (a=path); here the
    // user copies it to the sender. (print() flushes: a script may be reading.)
    print(`a=path:${Msrp.path_to_string(path)}`);
    // Wait for a peer. null: take whoever binds our path first (with SDP we
    // would pass the peer's a=path, and nobody else would get in).
    acceptor.complete_async(null, null, onConnected);
}

function onConnected(acceptor, result) {
    let transport;
    try {
        transport = acceptor.complete_finish(result);
    } catch (e) {
        return fail(e);
    }
    print(`peer ${Msrp.path_to_string(transport.get_full_remote_path())}`);
    // The session does the protocol: it answers, reassembles and reports.
    session = Msrp.Session.new(transport, null);  // null: accept any type
    session.connect('message-received', onMessage);
    session.connect('closed', (s, error) => {
        // null: a clean end, ours (shutdown) or the peer's.
        if (error !== null)
            return fail(error);
        loop.quit();
    });
}

function onMessage(s, firstChunk, data) {
    // The session has checked, acknowledged (200) and put the message
    // together; it has also sent the REPORT when the sender asked for one.
    const contentType = firstChunk.get_content_type();
    const body = data.toArray();
    if (contentType === 'text/plain')
        print(`received ${contentType} (${body.length} bytes): ${new TextDecoder().decode(body)}`);
    else
        print(`received ${contentType} (${body.length} bytes)`);
    // Answer with a message of our own: either side may send at any time.
    const answer = new TextEncoder().encode(`got ${body.length} bytes of ${contentType}`);
    session.send_message_async(new GLib.Bytes(answer), 'text/plain', null, onAnswerSent);
}

function onAnswerSent(s, result) {
    try {
        s.send_message_finish(result);
    } catch (e) {
        return fail(e);
    }
    // The last answer went through: end the session. Shutting down sends
    // whatever is still queued, closes the connection, then emits closed.
    if (++answered === expected)
        s.shutdown_async(null, null);
}

// The passive side listens (Msrp.get_acceptor(relay) would go through an
// RFC 4976 relay instead). Port 0: any free port, which the path will name.
// null as session-id: a random one.
const acceptor = Msrp.get_acceptor(null);
acceptor.prepare_async(Msrp.Uri.new('127.0.0.1', 0, null, false), null, onPrepared);
loop.run();
System.exit(status);
