// test-relay.js: a session through MsrpRelay, an RFC 4976 relay running in
// this process, driven from gjs through the typelib: the relay server, the
// relay settings and both relay connectors from JavaScript
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Runs against the built typelib: set GI_TYPELIB_PATH and LD_LIBRARY_PATH to
// the build's msrp-glib directory (meson test does). Prints TAP.

import GLib from 'gi://GLib';
import Msrp from 'gi://Msrp?version=1.0';

import {
    Peer, assert, assertBytes, assertEqual, completePair, describe, fromBytes, payload, prepareFinish,
    preparePair, run, sendMessageFinish, test, toBytes,
} from './harness.js';

function startRelay() {
    const relay = Msrp.Relay.new('example.com');
    relay.add_user('alice', 'alicepass');
    relay.add_user('bob', 'bobpass');
    const uri = relay.listen('127.0.0.1', 0, false);
    assert(uri instanceof Msrp.Uri, 'listen gives the relay URI');
    assertEqual(uri.get_session_id(), null, 'a relay URI has no session-id');
    return [relay, uri];
}

function settingsFor(uri, user, password) {
    const settings = Msrp.RelaySettings.new('example.com', user, password);
    settings.host = uri.get_host();
    settings.port = uri.get_port();
    settings.use_tls = false;
    return settings;
}

test('relay: both ends behind the relay', (waiter, peers) => {
    const [relay, uri] = startRelay();
    try {
        const connector = Msrp.get_connector(settingsFor(uri, 'alice', 'alicepass'));
        const acceptor = Msrp.get_acceptor(settingsFor(uri, 'bob', 'bobpass'));
        assert(connector instanceof Msrp.ConnectorRelay, 'get_connector with settings');
        assert(acceptor instanceof Msrp.AcceptorRelay, 'get_acceptor with settings');

        const [acceptorPath, connectorPath] = preparePair(waiter, acceptor, connector);
        for (const path of [acceptorPath, connectorPath]) {
            assert(Array.isArray(path), `a path, not ${describe(path)}`);
            assertEqual(path.length, 2, 'Use-Path, then the local URI');
            assertEqual(path[0].get_port(), uri.get_port(), 'the relay first');
        }
        assertEqual(relay.n_sessions, 2, 'a session on the relay for each');

        // null: the acceptor takes whoever sends first.
        const [tb, ta] = completePair(waiter, acceptor, connector, null, acceptorPath);
        for (const transport of [ta, tb])
            assert(transport instanceof Msrp.Transport, `complete: ${describe(transport)}`);

        const a = new Peer('a', Msrp.Session.new(ta, null), waiter);
        const b = new Peer('b', Msrp.Session.new(tb, null), waiter);
        peers.push(a, b);
        assertEqual(a.session.max_chunk_size, 8192, '8 KiB chunks through a relay');

        const data = payload(20000);
        a.session.success_report = true;
        a.session.send_message_async(new GLib.Bytes(data), 'application/octet-stream', null,
            waiter.callback('sent', sendMessageFinish));
        const [messageId] = waiter.wait('sent', 'b-message1', 'a-report1');
        assert(typeof messageId === 'string', `send_message: ${describe(messageId)}`);
        assertBytes(b.messages[0][1], data, 'message through the relay');
        assertEqual(b.chunks.length, 3, 'three chunks');
        assertEqual(a.reports[0].get_message_id(), messageId, 'the REPORT came back');

        b.session.send_message_async(toBytes('and back'), 'text/plain', null,
            waiter.callback('back', sendMessageFinish));
        waiter.wait('back', 'a-message1');
        assertEqual(fromBytes(a.messages[0][1]), 'and back', 'the answer');
    } finally {
        relay.stop();
    }
});

test('relay: a wrong password is refused', waiter => {
    const [relay, uri] = startRelay();
    try {
        const connector = Msrp.get_connector(settingsFor(uri, 'alice', 'wrong'));
        connector.prepare_async(null, null, waiter.callback('con', prepareFinish));
        const [error] = waiter.wait('con');
        assert(error instanceof GLib.Error, `an error, not ${describe(error)}`);
        assert(error.matches(Msrp.error_quark(), Msrp.Error.AUTH_FAILED), describe(error));
    } finally {
        relay.stop();
    }
});

test('relay: a WebSocket client (RFC 7977) and a TCP one', (waiter, peers) => {
    const [relay, uri] = startRelay();
    try {
        const wsUri = relay.listen_websocket('127.0.0.1', 0, false);
        assertEqual(wsUri.get_transport(), 'ws', 'the WebSocket listener URI says ;ws');
        const alice = settingsFor(wsUri, 'alice', 'alicepass');
        alice.transport = 'ws';
        alice.set_websocket_path('/');
        assertEqual(alice.get_transport(), 'ws', 'transport');
        assertEqual(alice.websocket_path, '/', 'websocket-path');
        const acceptor = Msrp.get_acceptor(alice);
        const connector = Msrp.get_connector(settingsFor(uri, 'bob', 'bobpass'));

        const [acceptorPath, connectorPath] = preparePair(waiter, acceptor, connector);
        assert(Array.isArray(acceptorPath), `a path, not ${describe(acceptorPath)}`);
        assertEqual(acceptorPath[0].get_port(), uri.get_port(), 'the relay\'s TCP Use-Path first');
        assert(acceptorPath[1].get_host().endsWith('.invalid'), 'an .invalid host of its own');
        assertEqual(acceptorPath[1].get_transport(), 'ws', 'its own URI says ;ws');

        const [ta, tb] = completePair(waiter, acceptor, connector, connectorPath, acceptorPath);
        for (const transport of [ta, tb])
            assert(transport instanceof Msrp.Transport, `complete: ${describe(transport)}`);
        const a = new Peer('a', Msrp.Session.new(ta, null), waiter);
        const b = new Peer('b', Msrp.Session.new(tb, null), waiter);
        peers.push(a, b);
        const data = payload(20000);
        b.session.send_message_async(new GLib.Bytes(data), 'application/octet-stream', null,
            waiter.callback('sent', sendMessageFinish));
        a.session.send_message_async(toBytes('from the WebSocket'), 'text/plain', null,
            waiter.callback('back', sendMessageFinish));
        waiter.wait('sent', 'back', 'a-message1', 'b-message1');
        assertBytes(a.messages[0][1], data, 'TCP to WebSocket');
        assertEqual(fromBytes(b.messages[0][1]), 'from the WebSocket', 'WebSocket to TCP');
    } finally {
        relay.stop();
    }
});

test('relay: sessions share one connection and one AUTH (share-connection)', waiter => {
    const [relay, uri] = startRelay();
    try {
        const settings = settingsFor(uri, 'alice', 'alicepass');
        assertEqual(settings.share_connection, true, 'shared by default');
        const paths = [];
        for (let i = 0; i < 2; i++) {
            const connector = Msrp.get_connector(settings);
            connector.prepare_async(null, null, waiter.callback(`p${i}`, prepareFinish));
            const [path] = waiter.wait(`p${i}`);
            assert(Array.isArray(path), `a path, not ${describe(path)}`);
            paths.push([connector, path]);
        }
        assert(paths[0][1][0].equal(paths[1][1][0]), 'one Use-Path');
        assert(!paths[0][1][1].equal(paths[1][1][1]), 'a URI of its own each');
        assertEqual(relay.n_sessions, 1, 'one AUTH');

        let notified = 0;
        settings.connect('notify::share-connection', () => notified++);
        settings.share_connection = false;
        assertEqual(settings.get_share_connection(), false, 'turned off');
        assertEqual(notified, 1, 'notify');
        const own = Msrp.get_connector(settings);
        own.prepare_async(null, null, waiter.callback('own', prepareFinish));
        const [ownPath] = waiter.wait('own');
        assert(!ownPath[0].equal(paths[0][1][0]), 'a connection of its own');
        assertEqual(relay.n_sessions, 2, 'and an AUTH of its own');
        for (const [connector] of paths)
            connector.cleanup();
        own.cleanup();
    } finally {
        relay.stop();
    }
});

run();
