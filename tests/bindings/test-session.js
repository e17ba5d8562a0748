// test-session.js: MsrpSession between two endpoints on loopback, driven
// from gjs through the typelib
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Runs against the built typelib: set GI_TYPELIB_PATH and LD_LIBRARY_PATH to
// the build's msrp-glib directory (meson test does). Prints TAP.

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Msrp from 'gi://Msrp?version=1.0';
import System from 'system';

import {
    Peer, assert, assertBytes, assertEqual, completePair, describe, payload, preparePair, run,
    sendFileFinish, sendMessageFinish, shutdownFinish, test, toBytes,
} from './harness.js';

const CHUNK_SIZE = 64 * 1024;

// Connects an acceptor and a connector on loopback and starts a session on
// each transport: a on the connector (active), b on the acceptor (passive).
function connectSessions(waiter, peers, acceptTypesB = null) {
    const acceptor = Msrp.AcceptorDirect.new();
    const connector = Msrp.ConnectorDirect.new();
    const [acceptorPath, connectorPath] = preparePair(waiter, acceptor, connector,
        Msrp.Uri.new('127.0.0.1', 0, null, false));
    for (const path of [acceptorPath, connectorPath])
        assert(Array.isArray(path), `a path, not ${describe(path)}`);

    const [tb, ta] = completePair(waiter, acceptor, connector, connectorPath, acceptorPath);
    for (const transport of [ta, tb])
        assert(transport instanceof Msrp.Transport, `complete: ${describe(transport)}`);

    const sessionA = Msrp.Session.new(ta, null);
    const sessionB = Msrp.Session.new(tb, acceptTypesB);
    assert(sessionA instanceof Msrp.Session, 'an Msrp.Session');
    assert(sessionA.get_transport() === ta, 'get_transport');
    assert(sessionB.transport === tb, 'the transport property');
    assertEqual(sessionB.get_accept_types(), acceptTypesB ?? ['*'], 'accept-types');
    const a = new Peer('a', sessionA, waiter);
    const b = new Peer('b', sessionB, waiter);
    peers.push(a, b);
    return [a, b];
}

// Sends data from a and waits until b has it: its first message. Gives the
// Message-ID, and the first chunk and data b got.
function sendFirstMessage(waiter, a, b, data, contentType) {
    a.session.send_message_async(new GLib.Bytes(data), contentType, null,
        waiter.callback('sent', sendMessageFinish));
    const [messageId] = waiter.wait('sent', `${b.name}-message1`);
    System.gc();

    assert(typeof messageId === 'string', `a Message-ID, not ${describe(messageId)}`);
    assertEqual(b.messages.length, 1, 'message-received emissions');
    return [messageId, ...b.messages[0]];
}

test('session: text message', (waiter, peers) => {
    const [a, b] = connectSessions(waiter, peers);
    const data = new TextEncoder().encode('h\u00e9llo from gjs');
    const [messageId, firstChunk, got] = sendFirstMessage(waiter, a, b, data, 'text/plain');
    assert(firstChunk instanceof Msrp.Chunk, 'first_chunk is an Msrp.Chunk');
    assertBytes(got, data, 'message data');
    assertEqual(firstChunk.get_message_id(), messageId, 'Message-ID');
    assertEqual(firstChunk.get_method(), 'SEND', 'method');
    assertEqual(firstChunk.get_content_type(), 'text/plain', 'Content-Type');
    assertEqual(b.chunks.length, 1, 'chunk-received emissions');
    assertBytes(b.chunks[0].get_data(), data, 'chunk data');
    // Nothing came back to a but the response.
    assertEqual(a.messages.length, 0, 'messages at a');
    assertEqual(a.reports.length, 0, 'reports at a');
});

test('session: large message in chunks', (waiter, peers) => {
    const [a, b] = connectSessions(waiter, peers);
    assertEqual(a.session.get_max_chunk_size(), Msrp.DEFAULT_MAX_CHUNK_SIZE, 'default max-chunk-size');
    a.session.set_max_chunk_size(CHUNK_SIZE);
    assertEqual(a.session.max_chunk_size, CHUNK_SIZE, 'max-chunk-size');
    const data = payload(300 * 1024);
    const [messageId, firstChunk, got] = sendFirstMessage(waiter, a, b, data, 'application/octet-stream');
    assertEqual(firstChunk.get_message_id(), messageId, 'Message-ID');
    assertEqual(got.get_size(), data.length, 'size');
    assertBytes(got, data, 'message data');

    // 300 KiB in chunks of 64 KiB: 5 chunks, each in its place.
    assertEqual(b.chunks.length, Math.ceil(data.length / CHUNK_SIZE), 'chunk-received emissions');
    assertEqual(b.events.filter(e => e === 'message-received').length, 1, 'message-received once');
    assertEqual(b.events[b.events.length - 1], 'message-received', 'message-received last');
    for (const chunk of b.chunks) {
        assertEqual(chunk.get_message_id(), messageId, 'chunk Message-ID');
        const body = chunk.get_data();
        assert(body.get_size() <= CHUNK_SIZE, `a chunk of ${body.get_size()} bytes`);
        const [known, start, end, total] = chunk.get_byte_range();
        assert(known, 'a Byte-Range');
        assertEqual(total, data.length, 'Byte-Range total');
        assertEqual(end - start + 1, body.get_size(), 'Byte-Range length');
        assertBytes(body, data.subarray(start - 1, end), `chunk ${start}-${end}`);
    }
});

test('session: file', (waiter, peers) => {
    const [a, b] = connectSessions(waiter, peers);
    const data = payload(200 * 1024 + 17);
    const stream = Gio.MemoryInputStream.new_from_bytes(new GLib.Bytes(data));
    const file = Msrp.OutgoingFile.new(stream, data.length, 'application/octet-stream', 0, null);
    assertEqual(file.bytes_sent, 0, 'bytes-sent at first');

    const progress = [];
    file.connect('notify::bytes-sent', obj => {
        progress.push(obj.bytes_sent);
        if (obj.get_bytes_sent() === data.length)
            waiter.set('all-sent', true);
    });
    a.session.send_file_async(file, null, waiter.callback('sent', sendFileFinish));
    const [sent] = waiter.wait('sent', 'all-sent', 'b-message1');
    System.gc();

    assertEqual(sent, true, `send_file_finish: ${describe(sent)}`);
    assertEqual(file.get_bytes_sent(), data.length, 'bytes-sent at the end');
    assertEqual(progress[progress.length - 1], data.length, 'last notification');
    assertEqual(progress, [...progress].sort((x, y) => x - y), 'bytes-sent only grows');
    assert(progress.length > 1, 'several notifications for several chunks');
    assertEqual(b.messages.length, 1, 'message-received emissions');
    const [firstChunk, got] = b.messages[0];
    assertEqual(firstChunk.get_message_id(), file.get_message_id(), 'Message-ID');
    assertEqual(firstChunk.get_content_type(), 'application/octet-stream', 'Content-Type');
    assertBytes(got, data, 'file data');
});

test('session: success report', (waiter, peers) => {
    const [a, b] = connectSessions(waiter, peers);
    a.session.set_success_report(true);
    assertEqual(a.session.success_report, true, 'success-report');

    const order = [];
    a.session.connect('report-received', () => order.push('report'));
    const data = new TextEncoder().encode('please confirm');
    a.session.send_message_async(new GLib.Bytes(data), 'text/plain', null,
        waiter.callback('sent', (session, result) => {
            order.push('finished');
            return session.send_message_finish(result);
        }));
    const [messageId] = waiter.wait('sent', 'a-report1', 'b-message1');
    System.gc();

    assert(typeof messageId === 'string', `a Message-ID, not ${describe(messageId)}`);
    assertEqual(order, ['report', 'finished'], 'the REPORT came before the send finished');
    const report = a.reports[0];
    assertEqual(report.get_method(), 'REPORT', 'method');
    assertEqual(report.get_message_id(), messageId, 'REPORT Message-ID');
    const [hasStatus, code] = report.get_status();
    assert(hasStatus, 'a Status header');
    assertEqual(code, Msrp.Status.OK, 'status');
    assertBytes(b.messages[0][1], data, 'message data');
    assertEqual(b.messages[0][0].get_header('Success-Report'), 'yes', 'Success-Report');
});

test('session: unsupported media type', (waiter, peers) => {
    const [a, b] = connectSessions(waiter, peers, ['text/plain']);
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    a.session.send_message_async(new GLib.Bytes(png), 'image/png', null,
        waiter.callback('sent', sendMessageFinish));
    const [error] = waiter.wait('sent');

    assert(error instanceof GLib.Error, `must be refused, got ${describe(error)}`);
    assert(error.matches(Msrp.TransactionError, Msrp.TransactionError.UNSUPPORTED_MEDIA_TYPE),
        'matches');
    assertEqual(error.code, 415, 'code');
    assertEqual(error.code, Msrp.Status.UNSUPPORTED_MEDIA_TYPE, 'code');
    assertEqual(b.chunks.length, 0, 'chunk-received emissions');
    assertEqual(b.messages.length, 0, 'message-received emissions');

    // The session still works for a type the peer takes.
    const text = new TextEncoder().encode('text is fine');
    a.session.send_message_async(new GLib.Bytes(text), 'text/plain', null,
        waiter.callback('sent', sendMessageFinish));
    const [messageId] = waiter.wait('sent', 'b-message1');
    assert(typeof messageId === 'string', `a Message-ID, not ${describe(messageId)}`);
    assertBytes(b.messages[0][1], text, 'message data');
});

test('session: shutdown', (waiter, peers) => {
    const [a, b] = connectSessions(waiter, peers);
    a.session.shutdown_async(null, waiter.callback('shutdown', shutdownFinish));
    const [done, bError, aError] = waiter.wait('shutdown', 'b-closed', 'a-closed');
    System.gc();

    assertEqual(done, true, `shutdown_finish: ${describe(done)}`);
    assert(bError === null, `a clean close at b, got ${describe(bError)}`);
    assert(aError === null, `a clean close at a, got ${describe(aError)}`);
    assertEqual(a.closed, [null], 'closed at a');
    assertEqual(b.closed, [null], 'closed at b');

    // A closed session refuses to send.
    b.session.send_message_async(toBytes('too late'), 'text/plain', null,
        waiter.callback('sent', sendMessageFinish));
    const [error] = waiter.wait('sent');
    assert(error instanceof GLib.Error, `must fail, got ${describe(error)}`);
    assert(error.matches(Msrp.Error, Msrp.Error.CONNECTION_CLOSED), `connection-closed, got ${describe(error)}`);
});

run();
