// test-connect.js: a direct connector and acceptor on loopback, driven from
// gjs through the typelib, plain and over TLS
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Runs against the built typelib: set GI_TYPELIB_PATH and LD_LIBRARY_PATH to
// the build's msrp-glib directory (meson test does). Prints TAP.

import GIRepository from 'gi://GIRepository?version=2.0';
import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Msrp from 'gi://Msrp?version=1.0';
import System from 'system';

// Every wait is bounded: a test that gets no answer in this time fails.
const TIMEOUT_SECONDS = 20;

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

// Runs a main loop until every awaited operation has finished, or throws
// when TIMEOUT_SECONDS pass first. Results (or the GLib.Error of a _finish)
// are kept by key: an exception thrown in a callback would only be logged by
// gjs, so the test checks them afterwards.
class Waiter {
    constructor() {
        this.loop = new GLib.MainLoop(null, false);
        this.results = new Map();
        this.expected = [];
    }

    callback(key, finish) {
        return (source, result) => {
            try {
                this.results.set(key, finish(source, result));
            } catch (e) {
                this.results.set(key, e);
            }
            if (this.expected.every(k => this.results.has(k)))
                this.loop.quit();
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
const writeFinish = (transport, result) => transport.write_chunk_finish(result);
const readFinish = (transport, result) => transport.read_chunk_finish(result);
const closeFinish = (transport, result) => transport.close_finish(result);

// The connection under a transport's stream. GSocketClient, which the
// connector uses, hands out a TLS connection wrapped in a
// GTcpWrapperConnection.
function connectionOf(transport) {
    const stream = transport.get_stream();
    if (stream instanceof Gio.TcpWrapperConnection)
        return stream.get_base_io_stream();
    return stream;
}

const certAcceptor = Msrp.tls_certificate_new_self_signed('alice.example.com');
const certConnector = Msrp.tls_certificate_new_self_signed('bob.example.com');
const certOther = Msrp.tls_certificate_new_self_signed('mallory.example.com');

function fingerprintOf(cert) {
    return Msrp.tls_certificate_get_fingerprint(cert, GLib.ChecksumType.SHA256);
}

// Prepares an acceptor and a connector; returns them and their full local
// paths.
function makePair(waiter, {acceptorCert, connectorCert, acceptorExpects, connectorExpects} = {}) {
    const acceptor = Msrp.AcceptorDirect.new();
    const connector = Msrp.ConnectorDirect.new();
    // Typed Msrp.Connector in the typelib; the objects are the classes.
    assert(acceptor instanceof Msrp.AcceptorDirect, 'an Msrp.AcceptorDirect');
    assert(connector instanceof Msrp.ConnectorDirect, 'an Msrp.ConnectorDirect');
    assert(acceptor instanceof Msrp.Connector, 'an Msrp.Connector');

    for (const [side, cert, expects] of [[acceptor, acceptorCert, acceptorExpects],
        [connector, connectorCert, connectorExpects]]) {
        if (cert)
            side.tls_certificate = cert;
        if (expects) {
            side.peer_fingerprint = fingerprintOf(expects);
            assertEqual(side.peer_fingerprint, fingerprintOf(expects), 'peer-fingerprint');
        }
    }

    acceptor.prepare_async(Msrp.Uri.new('127.0.0.1', 0, null, false), null,
        waiter.callback('acc', prepareFinish));
    connector.prepare_async(null, null, waiter.callback('con', prepareFinish));
    const [acceptorPath, connectorPath] = waiter.wait('acc', 'con');
    // A wrong transfer annotation shows up as a crash once the GC runs.
    System.gc();

    for (const path of [acceptorPath, connectorPath]) {
        assert(Array.isArray(path), `a path, not ${describe(path)}`);
        assertEqual(path.length, 1, 'path length');
        assert(path[0] instanceof Msrp.Uri, 'of Msrp.Uri');
        assert(path[0].get_session_id().length > 0, 'a session-id');
    }
    const uri = acceptorPath[0];
    assertEqual(uri.get_host(), '127.0.0.1', 'acceptor host');
    assert(uri.get_port() > 0, 'the acceptor has its real port');
    assertEqual(uri.get_use_tls(), Boolean(acceptorCert), 'acceptor use-tls');
    assertEqual(connectorPath[0].get_use_tls(), Boolean(connectorCert), 'connector use-tls');
    return [acceptor, connector, acceptorPath, connectorPath];
}

function complete(waiter, acceptor, connector, acceptorPath, connectorPath) {
    acceptor.complete_async(connectorPath, null, waiter.callback('acc', completeFinish));
    connector.complete_async(acceptorPath, null, waiter.callback('con', completeFinish));
    return waiter.wait('acc', 'con');
}

function exchange(waiter, sender, receiver, text) {
    const data = new TextEncoder().encode(text);
    const chunk = sender.make_chunk(null, new GLib.Bytes(data), 'text/plain');
    assertEqual(chunk.get_method(), 'SEND', 'method');
    assertEqual(chunk.get_byte_range(), [true, 1, data.length, data.length], 'Byte-Range');
    sender.write_chunk_async(chunk, null, waiter.callback('write', writeFinish));
    receiver.read_chunk_async(0, null, waiter.callback('read', readFinish));
    const [written, got] = waiter.wait('write', 'read');

    assertEqual(written, true, `write: ${describe(written)}`);
    assert(got instanceof Msrp.Chunk, `read: ${describe(got)}`);
    assertEqual(got.get_method(), 'SEND', 'method read');
    assertEqual(got.get_transaction_id(), chunk.get_transaction_id(), 'transaction id');
    assertEqual(got.get_message_id(), chunk.get_message_id(), 'Message-ID');
    assertEqual(got.get_content_type(), 'text/plain', 'Content-Type');
    assertEqual(new TextDecoder().decode(got.get_data().toArray()), text, 'body');
    assert(receiver.check_incoming_send_chunk(got), 'for this session');
}

function close(waiter, ...transports) {
    const keys = transports.map((t, i) => {
        t.close_async(null, waiter.callback(`close${i}`, closeFinish));
        return `close${i}`;
    });
    for (const result of waiter.wait(...keys))
        assertEqual(result, true, `close: ${describe(result)}`);
}

function checkConnected(waiter, acc, con, tls) {
    for (const result of [acc, con])
        assert(result instanceof Msrp.Transport, `complete: ${describe(result)}`);

    const streamType = tls ? Gio.TlsConnection : Gio.SocketConnection;
    assert(acc.get_stream() instanceof streamType, 'acceptor stream type');
    assert(connectionOf(con) instanceof streamType, 'connector stream type');

    exchange(waiter, con, acc, 'from the active side: h\u00e9llo');
    exchange(waiter, acc, con, 'from the passive side');
    close(waiter, acc, con);
}

function checkMismatch(acceptorChecks) {
    const waiter = new Waiter();
    const [acceptor, connector, acceptorPath, connectorPath] = makePair(waiter, {
        acceptorCert: certAcceptor,
        connectorCert: certConnector,
        acceptorExpects: acceptorChecks ? certOther : certConnector,
        connectorExpects: acceptorChecks ? certAcceptor : certOther,
    });
    const [acc, con] = complete(waiter, acceptor, connector, acceptorPath, connectorPath);
    const [checker, other] = acceptorChecks ? [acc, con] : [con, acc];

    assert(checker instanceof GLib.Error, `the checking side must fail, got ${describe(checker)}`);
    assertEqual(GLib.quark_to_string(checker.domain), 'msrp-error-quark', 'domain');
    assertEqual(checker.code, Msrp.Error.FINGERPRINT_MISMATCH, 'code');
    assert(checker.matches(Msrp.Error, Msrp.Error.FINGERPRINT_MISMATCH), 'matches');
    assert(checker.message.includes(fingerprintOf(certOther)), 'the message names the expected fingerprint');
    // The other side sees the handshake fail; its error is GIO's.
    assert(other instanceof GLib.Error, `the other side must fail too, got ${describe(other)}`);
}

const tests = [];
function test(name, fn) {
    tests.push({name, fn});
}

test('connector: prepare_finish transfers the container only', () => {
    // The array has g_object_unref as its free function: (transfer full)
    // would make bindings unref every URI twice.
    const info = GIRepository.Repository.get_default().find_by_name('Msrp', 'Connector');
    const method = GIRepository.object_info_find_method(info, 'prepare_finish');
    assertEqual(GIRepository.callable_info_get_caller_owns(method), GIRepository.Transfer.CONTAINER,
        'prepare_finish transfer');
});

test('connect: tcp', () => {
    const waiter = new Waiter();
    const [acceptor, connector, acceptorPath, connectorPath] = makePair(waiter);
    const [acc, con] = complete(waiter, acceptor, connector, acceptorPath, connectorPath);
    checkConnected(waiter, acc, con, false);
    // Each side talks to the other's path.
    assert(Msrp.path_equal(acc.get_full_remote_path(), connectorPath), 'acceptor remote path');
    assert(Msrp.path_equal(con.get_full_remote_path(), acceptorPath), 'connector remote path');
});

test('connect: tls with fingerprints', () => {
    const waiter = new Waiter();
    const [acceptor, connector, acceptorPath, connectorPath] = makePair(waiter, {
        acceptorCert: certAcceptor,
        connectorCert: certConnector,
        acceptorExpects: certConnector,
        connectorExpects: certAcceptor,
    });
    const [acc, con] = complete(waiter, acceptor, connector, acceptorPath, connectorPath);
    checkConnected(waiter, acc, con, true);
    // Each side saw the certificate the other side's SDP announced.
    assert(acc.get_stream().get_peer_certificate().is_same(certConnector), 'acceptor saw the connector');
    assert(connectionOf(con).get_peer_certificate().is_same(certAcceptor), 'connector saw the acceptor');
});

test('connect: tls, wrong fingerprint at the acceptor', () => checkMismatch(true));
test('connect: tls, wrong fingerprint at the connector', () => checkMismatch(false));

let failed = 0;
tests.forEach(({name, fn}, i) => {
    try {
        fn();
        print(`ok ${i + 1} - ${name}`);
    } catch (e) {
        failed++;
        print(`not ok ${i + 1} - ${name}`);
        for (const line of `${e}\n${e.stack ?? ''}`.trimEnd().split('\n'))
            print(`# ${line}`);
    }
});
print(`1..${tests.length}`);
System.exit(failed > 0 ? 1 : 0);
