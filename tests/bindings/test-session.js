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

// Every wait is bounded: a test that gets no answer in this time fails.
const TIMEOUT_SECONDS = 20;

const CHUNK_SIZE = 64 * 1024;

class AssertionError extends Error {}

function assert(cond, what) {
    if (!cond)
        throw new AssertionError(what ?? 'assertion failed');
}

function assertEqual(actual, expected, what) {
    const a = JSON.stringify(actual), e = JSON.stringify(expected);
    if (a !== e)
        throw new AssertionError(`${what ?? 'values differ'}: got ${a}, expected ${e}`);
}

function describe(result) {
    if (result instanceof GLib.Error)
        return `${GLib.quark_to_string(result.domain)} ${result.code}: ${result.message}`;
    return `${result}`;
}

// Compares a GLib.Bytes with a Uint8Array, without printing 300 KB.
function assertBytes(bytes, expected, what) {
    assert(bytes instanceof GLib.Bytes, `${what}: a GLib.Bytes, not ${describe(bytes)}`);
    const got = bytes.toArray();
    assertEqual(got.length, expected.length, `${what}: length`);
    for (let i = 0; i < got.length; i++) {
        if (got[i] !== expected[i])
            throw new AssertionError(`${what}: differs at byte ${i}: ${got[i]} != ${expected[i]}`);
    }
}

// size bytes that are not all alike, so a misplaced chunk shows.
function payload(size) {
    const data = new Uint8Array(size);
    for (let i = 0; i < size; i++)
        data[i] = (i * 7 + Math.floor(i / 251)) & 0xff;
    return data;
}

// One main loop per test. Runs it until every awaited key has a result, or
// throws when TIMEOUT_SECONDS pass first. Results (or the GLib.Error of a
// _finish) are kept by key, and so are signal emissions (set()): an
// exception thrown in a callback or a signal handler would only be logged
// by gjs, so the test checks them afterwards.
class Waiter {
    constructor() {
        this.loop = new GLib.MainLoop(null, false);
        this.results = new Map();
        this.expected = [];
    }

    set(key, value) {
        this.results.set(key, value);
        if (this.expected.length > 0 && this.expected.every(k => this.results.has(k)))
            this.loop.quit();
    }

    callback(key, finish) {
        return (source, result) => {
            let value;
            try {
                value = finish(source, result);
            } catch (e) {
                value = e;
            }
            this.set(key, value);
        };
    }

    wait(...keys) {
        this.expected = keys;
        let timedOut = false;
        if (!keys.every(k => this.results.has(k))) {
            const id = GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, TIMEOUT_SECONDS, () => {
                timedOut = true;
                this.loop.quit();
                return GLib.SOURCE_REMOVE;
            });
            this.loop.run();
            if (!timedOut)
                GLib.source_remove(id);
        }
        this.expected = [];
        if (timedOut) {
            const missing = keys.filter(k => !this.results.has(k));
            throw new AssertionError(`timed out after ${TIMEOUT_SECONDS} s waiting for ${missing}`);
        }
        return keys.map(k => {
            const r = this.results.get(k);
            this.results.delete(k);
            return r;
        });
    }
}

const prepareFinish = (connector, result) => connector.prepare_finish(result);
const completeFinish = (connector, result) => connector.complete_finish(result);
const sendMessageFinish = (session, result) => session.send_message_finish(result);
const sendFileFinish = (session, result) => session.send_file_finish(result);
const shutdownFinish = (session, result) => session.shutdown_finish(result);

// A session and what its signals brought, in order.
class Peer {
    constructor(name, session, waiter) {
        this.name = name;
        this.session = session;
        this.chunks = [];     // chunk-received: Msrp.Chunk
        this.messages = [];   // message-received: [first_chunk, GLib.Bytes]
        this.reports = [];    // report-received: Msrp.Chunk
        this.closed = [];     // closed: GLib.Error or null
        this.events = [];     // the names of the signals, in order
        session.connect('chunk-received', (s, chunk) => {
            this.chunks.push(chunk);
            this.events.push('chunk-received');
        });
        session.connect('message-received', (s, firstChunk, data) => {
            this.messages.push([firstChunk, data]);
            this.events.push('message-received');
            waiter.set(`${name}-message${this.messages.length}`, true);
        });
        session.connect('report-received', (s, report) => {
            this.reports.push(report);
            this.events.push('report-received');
            waiter.set(`${name}-report${this.reports.length}`, true);
        });
        session.connect('closed', (s, error) => {
            this.closed.push(error);
            this.events.push('closed');
            waiter.set(`${name}-closed`, error);
        });
    }
}

// Connects an acceptor and a connector on loopback and starts a session on
// each transport: a on the connector (active), b on the acceptor (passive).
function connectSessions(waiter, peers, acceptTypesB = null) {
    const acceptor = Msrp.AcceptorDirect.new();
    const connector = Msrp.ConnectorDirect.new();
    acceptor.prepare_async(Msrp.Uri.new('127.0.0.1', 0, null, false), null,
        waiter.callback('acc', prepareFinish));
    connector.prepare_async(null, null, waiter.callback('con', prepareFinish));
    const [acceptorPath, connectorPath] = waiter.wait('acc', 'con');
    for (const path of [acceptorPath, connectorPath])
        assert(Array.isArray(path), `a path, not ${describe(path)}`);

    acceptor.complete_async(connectorPath, null, waiter.callback('acc', completeFinish));
    connector.complete_async(acceptorPath, null, waiter.callback('con', completeFinish));
    const [tb, ta] = waiter.wait('acc', 'con');
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

const tests = [];
function test(name, fn) {
    tests.push({name, fn});
}

test('session: text message', (waiter, peers) => {
    const [a, b] = connectSessions(waiter, peers);
    const data = new TextEncoder().encode('h\u00e9llo from gjs');
    a.session.send_message_async(new GLib.Bytes(data), 'text/plain', null,
        waiter.callback('sent', sendMessageFinish));
    const [messageId] = waiter.wait('sent', 'b-message1');
    System.gc();

    assert(typeof messageId === 'string', `a Message-ID, not ${describe(messageId)}`);
    assertEqual(b.messages.length, 1, 'message-received emissions');
    const [firstChunk, got] = b.messages[0];
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
    a.session.send_message_async(new GLib.Bytes(data), 'application/octet-stream', null,
        waiter.callback('sent', sendMessageFinish));
    const [messageId] = waiter.wait('sent', 'b-message1');
    System.gc();

    assert(typeof messageId === 'string', `a Message-ID, not ${describe(messageId)}`);
    assertEqual(b.messages.length, 1, 'message-received emissions');
    const [firstChunk, got] = b.messages[0];
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
    assertEqual(GLib.quark_to_string(error.domain), 'msrp-transaction-error-quark', 'domain');
    assertEqual(error.code, 415, 'code');
    assertEqual(error.code, Msrp.Status.UNSUPPORTED_MEDIA_TYPE, 'code');
    assert(error.matches(GLib.quark_from_string('msrp-transaction-error-quark'),
        Msrp.Status.UNSUPPORTED_MEDIA_TYPE), 'matches');
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
    b.session.send_message_async(new GLib.Bytes(new TextEncoder().encode('too late')), 'text/plain',
        null, waiter.callback('sent', sendMessageFinish));
    const [error] = waiter.wait('sent');
    assert(error instanceof GLib.Error, `must fail, got ${describe(error)}`);
    assert(error.matches(Msrp.Error, Msrp.Error.CONNECTION_CLOSED), `connection-closed, got ${describe(error)}`);
});

// Both ends shut down, whatever the test left; a session already closed
// finishes at once.
function shutdownAll(waiter, peers) {
    const keys = peers.map(peer => {
        const key = `${peer.name}-shutdown-teardown`;
        peer.session.shutdown_async(null, waiter.callback(key, shutdownFinish));
        return key;
    });
    if (keys.length > 0)
        waiter.wait(...keys);
}

let failed = 0;
tests.forEach(({name, fn}, i) => {
    const waiter = new Waiter();
    const peers = [];
    let error = null;
    try {
        fn(waiter, peers);
    } catch (e) {
        error = e;
    }
    try {
        shutdownAll(waiter, peers);
    } catch (e) {
        error ??= e;
    }
    if (error === null) {
        print(`ok ${i + 1} - ${name}`);
    } else {
        failed++;
        print(`not ok ${i + 1} - ${name}`);
        for (const line of `${error}\n${error.stack ?? ''}`.trimEnd().split('\n'))
            print(`# ${line}`);
    }
});
print(`1..${tests.length}`);
System.exit(failed > 0 ? 1 : 0);
