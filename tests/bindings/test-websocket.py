#!/usr/bin/python3
# test-websocket.py: MSRP over WebSocket (RFC 7977) from Python through the
# typelib: MsrpRelay's WebSocket listener with relay settings that say
# "ws", and an MsrpServer on the application's own SoupServer
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Runs against the built typelib: set GI_TYPELIB_PATH and LD_LIBRARY_PATH to
# the build's msrp-glib directory (meson test does). Prints TAP.

import sys

import gi
gi.require_version('Msrp', '1.0')
gi.require_version('Soup', '3.0')
from gi.repository import GLib, Msrp, Soup  # noqa: E402

from harness import (  # noqa: E402
    Peer, SessionTestCase, complete_finish, complete_pair, describe, main, payload, prepare_pair,
    send_message_finish)


def complete_for_uri_finish(server, result):
    return server.complete_for_uri_finish(result)


class WebsocketTests(SessionTestCase):
    def exchange(self, ta, tb):
        for transport in (ta, tb):
            self.assertIsInstance(transport, Msrp.Transport, describe(transport))
        a = Peer('a', Msrp.Session.new(ta, None), self.waiter)
        b = Peer('b', Msrp.Session.new(tb, None), self.waiter)
        self.peers = [a, b]
        data = payload(100000)
        a.session.send_message_async(GLib.Bytes.new(data), 'application/octet-stream', None,
                                     self.waiter.callback('sent-a', send_message_finish))
        b.session.send_message_async(GLib.Bytes.new('über WebSocket'.encode()), 'text/plain', None,
                                     self.waiter.callback('sent-b', send_message_finish))
        sent_a, sent_b, _, _ = self.waiter.wait('sent-a', 'sent-b', 'b-message1', 'a-message1')
        self.assertIsInstance(sent_a, str, describe(sent_a))
        self.assertIsInstance(sent_b, str, describe(sent_b))
        self.assertEqual(b.messages[0][1].get_data(), data)
        self.assertEqual(a.messages[0][1].get_data().decode(), 'über WebSocket')

    def test_relay(self):
        relay = Msrp.Relay.new('example.com')
        relay.add_user('alice', 'alicepass')
        relay.add_user('bob', 'bobpass')
        tcp_uri = relay.listen('127.0.0.1', 0, False)
        ws_uri = relay.listen_websocket('127.0.0.1', 0, False)
        self.assertEqual(ws_uri.get_transport(), 'ws')
        self.assertNotEqual(ws_uri.get_port(), tcp_uri.get_port())

        alice = Msrp.RelaySettings.new('example.com', 'alice', 'alicepass')
        alice.props.host = '127.0.0.1'
        alice.props.port = ws_uri.get_port()
        alice.props.use_tls = False
        alice.props.transport = 'ws'
        alice.props.websocket_path = '/'
        self.assertEqual(alice.get_transport(), 'ws')
        self.assertEqual(alice.get_websocket_path(), '/')
        bob = Msrp.RelaySettings.new('example.com', 'bob', 'bobpass')
        bob.set_host('127.0.0.1')
        bob.set_port(tcp_uri.get_port())
        bob.set_use_tls(False)
        self.assertEqual(bob.props.transport, 'tcp')

        acceptor = Msrp.get_acceptor(alice)
        connector = Msrp.get_connector(bob)
        acceptor_path, connector_path = prepare_pair(self.waiter, acceptor, connector)
        self.assertIsInstance(acceptor_path, list, describe(acceptor_path))
        # RFC 7977: the relay's TCP Use-Path, then an .invalid ;ws URI.
        self.assertEqual(len(acceptor_path), 2)
        self.assertEqual(acceptor_path[0].get_port(), tcp_uri.get_port())
        self.assertTrue(acceptor_path[1].get_host().endswith('.invalid'))
        self.assertEqual(acceptor_path[1].get_transport(), 'ws')
        ta, tb = complete_pair(self.waiter, acceptor, connector, connector_path, acceptor_path)
        self.exchange(ta, tb)
        relay.stop()

    def test_server_on_soup_server(self):
        soup = Soup.Server()
        soup.listen_local(0, Soup.ServerListenOptions.IPV4_ONLY)
        port = soup.get_uris()[0].get_port()
        server = Msrp.Server.new()
        server.add_websocket_handler(soup, '/msrp')

        local = Msrp.Uri.parse(f'msrp://127.0.0.1:{port}/pyws1;ws')
        server_path = server.prepare(local)
        self.assertEqual(server_path[0].get_transport(), 'ws')

        connector = Msrp.ConnectorDirect.new()
        connector.props.websocket_path = '/msrp'
        self.assertEqual(connector.get_websocket_path(), '/msrp')
        connector.prepare_async(None, None, self.waiter.callback('con-prep', lambda s, r: s.prepare_finish(r)))
        (connector_path,) = self.waiter.wait('con-prep')
        self.assertIsInstance(connector_path, list, describe(connector_path))

        server.complete_for_uri_async(server_path[0], connector_path, None, None,
                                      self.waiter.callback('srv', complete_for_uri_finish))
        connector.complete_async(server_path, None, self.waiter.callback('con', complete_finish))
        ts, tc = self.waiter.wait('srv', 'con')
        self.exchange(tc, ts)
        soup.disconnect()


if __name__ == '__main__':
    sys.exit(main())
