#!/usr/bin/python3
# test-relay.py: a session through a real RFC 4976 relay (Kamailio's msrp
# module, which tests/relay/with-kamailio starts around this test), driven
# from Python through the typelib
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Runs against the built typelib: set GI_TYPELIB_PATH and LD_LIBRARY_PATH to
# the build's msrp-glib directory (meson test does). Prints TAP.

import os
import sys

import gi
gi.require_version('Msrp', '1.0')
from gi.repository import GLib, Msrp  # noqa: E402

from harness import (  # noqa: E402
    Peer, SessionTestCase, complete_pair, describe, main, payload, prepare_finish, prepare_pair,
    send_message_finish)

# tests/relay/with-kamailio runs this test with a relay of its own.
relay_port = int(os.environ.get('MSRP_TEST_KAMAILIO_PORT', '0'))


def settings(user, password):
    s = Msrp.RelaySettings.new('example.com', user, password)
    s.props.host = '127.0.0.1'
    s.props.port = relay_port
    s.props.use_tls = False
    return s


class RelayTests(SessionTestCase):
    def test_message_through_relay(self):
        connector = Msrp.get_connector(settings('alice', 'alicepass'))
        acceptor = Msrp.get_acceptor(settings('bob', 'bobpass'))
        self.assertIsInstance(connector, Msrp.ConnectorRelay)
        self.assertIsInstance(acceptor, Msrp.AcceptorRelay)
        self.assertIsInstance(Msrp.get_connector(None), Msrp.ConnectorDirect)

        acceptor_path, connector_path = prepare_pair(self.waiter, acceptor, connector)
        for path in (acceptor_path, connector_path):
            self.assertIsInstance(path, list, describe(path))
            # Use-Path (the relay's URI for this session), then our own.
            self.assertEqual(len(path), 2)
            self.assertEqual(path[0].get_port(), relay_port)
            self.assertIsNotNone(path[0].get_session_id())

        tb, ta = complete_pair(self.waiter, acceptor, connector, connector_path, acceptor_path)
        for transport in (ta, tb):
            self.assertIsInstance(transport, Msrp.Transport, describe(transport))

        a = Peer('a', Msrp.Session.new(ta, None), self.waiter)
        b = Peer('b', Msrp.Session.new(tb, None), self.waiter)
        self.peers = [a, b]
        # Through a relay, chunks are 8 KiB by default.
        self.assertEqual(a.session.props.max_chunk_size, 8192)

        data = payload(20000)   # three chunks through the relay
        a.session.props.success_report = True
        a.session.send_message_async(GLib.Bytes.new(data), 'application/octet-stream', None,
                                     self.waiter.callback('sent', send_message_finish))
        message_id, _, _ = self.waiter.wait('sent', 'b-message1', 'a-report1')
        self.assertIsInstance(message_id, str, describe(message_id))
        first_chunk, got = b.messages[0]
        self.assertEqual(got.get_data(), data)
        self.assertEqual(first_chunk.get_message_id(), message_id)
        self.assertEqual(a.reports[0].get_message_id(), message_id)
        self.assertEqual(len(b.chunks), 3)

    def test_wrong_password(self):
        connector = Msrp.get_connector(settings('alice', 'not-her-password'))
        connector.prepare_async(None, None, self.waiter.callback('con', prepare_finish))
        (error,) = self.waiter.wait('con')
        self.assertIsInstance(error, GLib.Error)
        self.assertTrue(error.matches(Msrp.error_quark(), Msrp.Error.AUTH_FAILED), describe(error))

    def test_share_connection(self):
        # Two sessions of alice share one connection and one AUTH: one
        # Use-Path, a URI of her own for each.
        s = settings('alice', 'alicepass')
        self.assertTrue(s.props.share_connection)
        paths = []
        for i in range(2):
            connector = Msrp.get_connector(s)
            connector.prepare_async(None, None, self.waiter.callback('p%d' % i, prepare_finish))
            (path,) = self.waiter.wait('p%d' % i)
            self.assertIsInstance(path, list, describe(path))
            paths.append((connector, path))
        self.assertTrue(paths[0][1][0].equal(paths[1][1][0]))
        self.assertFalse(paths[0][1][1].equal(paths[1][1][1]))

        s.set_share_connection(False)
        self.assertFalse(s.get_share_connection())
        own = Msrp.get_connector(s)
        own.prepare_async(None, None, self.waiter.callback('own', prepare_finish))
        (path,) = self.waiter.wait('own')
        self.assertFalse(path[0].equal(paths[0][1][0]))
        for connector, _ in paths:
            connector.cleanup()
        own.cleanup()


if __name__ == '__main__':
    if not relay_port:
        sys.exit('no Kamailio relay: run this test through tests/relay/with-kamailio (meson test does)')
    sys.exit(main())
