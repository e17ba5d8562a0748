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

import {
    assert, assertEqual, closeFinish, completePair, describe, preparePair, readFinish, run, test,
    writeFinish,
} from './harness.js';

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

    const [acceptorPath, connectorPath] = preparePair(waiter, acceptor, connector,
        Msrp.Uri.new('127.0.0.1', 0, null, false));
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
    return completePair(waiter, acceptor, connector, connectorPath, acceptorPath);
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

function checkMismatch(waiter, acceptorChecks) {
    const [acceptor, connector, acceptorPath, connectorPath] = makePair(waiter, {
        acceptorCert: certAcceptor,
        connectorCert: certConnector,
        acceptorExpects: acceptorChecks ? certOther : certConnector,
        connectorExpects: acceptorChecks ? certAcceptor : certOther,
    });
    // The acceptor waits on for the right peer until its timeout.
    acceptor.set_timeout(1);
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

test('connector: prepare_finish transfers the container only', () => {
    // The array has g_object_unref as its free function: (transfer full)
    // would make bindings unref every URI twice.
    const info = GIRepository.Repository.get_default().find_by_name('Msrp', 'Connector');
    const method = GIRepository.object_info_find_method(info, 'prepare_finish');
    assertEqual(GIRepository.callable_info_get_caller_owns(method), GIRepository.Transfer.CONTAINER,
        'prepare_finish transfer');
});

test('connect: tcp', waiter => {
    const [acceptor, connector, acceptorPath, connectorPath] = makePair(waiter);
    const [acc, con] = complete(waiter, acceptor, connector, acceptorPath, connectorPath);
    checkConnected(waiter, acc, con, false);
    // Each side talks to the other's path.
    assert(Msrp.path_equal(acc.get_full_remote_path(), connectorPath), 'acceptor remote path');
    assert(Msrp.path_equal(con.get_full_remote_path(), acceptorPath), 'connector remote path');
});

test('connect: tls with fingerprints', waiter => {
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

test('connect: tls, wrong fingerprint at the acceptor', waiter => checkMismatch(waiter, true));
test('connect: tls, wrong fingerprint at the connector', waiter => checkMismatch(waiter, false));

run();
