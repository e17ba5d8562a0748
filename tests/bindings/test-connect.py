#!/usr/bin/python3
# test-connect.py: a direct connector and acceptor on loopback, driven from
# Python (PyGObject) through the typelib, plain and over TLS
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Runs against the built typelib: set GI_TYPELIB_PATH and LD_LIBRARY_PATH to
# the build's msrp-glib directory (meson test does). Prints TAP.

import sys
import unittest

import gi
gi.require_version('Msrp', '1.0')
from gi.repository import Gio, GLib, Msrp  # noqa: E402

from harness import (  # noqa: E402
    GI_TRANSFER_CONTAINER, Waiter, close_finish, complete_pair, main, prepare_pair, read_finish,
    write_finish)


def connection_of(transport):
    """The connection under a transport's stream. GSocketClient, which the
    connector uses, hands out a TLS connection wrapped in a
    GTcpWrapperConnection."""
    stream = transport.get_stream()
    if isinstance(stream, Gio.TcpWrapperConnection):
        stream = stream.get_base_io_stream()
    return stream


class AnnotationTests(unittest.TestCase):
    def test_prepare_finish_transfers_container(self):
        # The array has g_object_unref as its free function: (transfer full)
        # would make bindings unref every URI twice.
        info = gi.Repository.get_default().find_by_name('Msrp', 'Connector').find_method('prepare_finish')
        self.assertEqual(info.get_caller_owns(), GI_TRANSFER_CONTAINER)


class ConnectorPropertyTests(unittest.TestCase):
    def test_base_class_setters(self):
        # The shared properties live in the abstract Msrp.Connector.
        relay = Msrp.RelaySettings.new('example.com', 'alice', 'secret')
        for connector in (Msrp.ConnectorDirect.new(), Msrp.AcceptorDirect.new(),
                          Msrp.ConnectorRelay.new(relay), Msrp.AcceptorRelay.new(relay)):
            self.assertIsInstance(connector, Msrp.Connector)
            connector.set_timeout(7)
            connector.set_peer_fingerprint('sha-256 AB:CD')
            connector.set_use_sessmatch(True)
            self.assertEqual(connector.props.timeout, 7)
            self.assertEqual(connector.get_peer_fingerprint(), 'sha-256 AB:CD')
            self.assertTrue(connector.props.use_sessmatch)


class ConnectTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cert_acceptor = Msrp.tls_certificate_new_self_signed('alice.example.com')
        cls.cert_connector = Msrp.tls_certificate_new_self_signed('bob.example.com')
        cls.cert_other = Msrp.tls_certificate_new_self_signed('mallory.example.com')

    def setUp(self):
        self.waiter = Waiter(self)

    def make_pair(self, acceptor_cert=None, connector_cert=None,
                  acceptor_expects=None, connector_expects=None):
        """Prepares an acceptor and a connector; returns them and their full
        local paths."""
        acceptor = Msrp.AcceptorDirect.new()
        connector = Msrp.ConnectorDirect.new()
        # Typed Msrp.Connector in the typelib; the objects are the classes.
        self.assertIsInstance(acceptor, Msrp.AcceptorDirect)
        self.assertIsInstance(connector, Msrp.ConnectorDirect)
        self.assertIsInstance(acceptor, Msrp.Connector)

        for side, cert, expects in ((acceptor, acceptor_cert, acceptor_expects),
                                    (connector, connector_cert, connector_expects)):
            if cert is not None:
                side.props.tls_certificate = cert
            if expects is not None:
                fingerprint = Msrp.tls_certificate_get_fingerprint(expects, GLib.ChecksumType.SHA256)
                side.props.peer_fingerprint = fingerprint
                self.assertEqual(side.props.peer_fingerprint, fingerprint)

        acceptor_path, connector_path = prepare_pair(self.waiter, acceptor, connector,
                                                     Msrp.Uri.new('127.0.0.1', 0, None, False))

        for path in (acceptor_path, connector_path):
            self.assertIsInstance(path, list)
            self.assertEqual(len(path), 1)
            self.assertIsInstance(path[0], Msrp.Uri)
            self.assertTrue(path[0].get_session_id())
        uri = acceptor_path[0]
        self.assertEqual(uri.get_host(), '127.0.0.1')
        self.assertGreater(uri.get_port(), 0)
        self.assertEqual(uri.get_use_tls(), acceptor_cert is not None)
        self.assertEqual(connector_path[0].get_use_tls(), connector_cert is not None)
        return acceptor, connector, acceptor_path, connector_path

    def complete(self, acceptor, connector, acceptor_path, connector_path):
        return complete_pair(self.waiter, acceptor, connector, connector_path, acceptor_path)

    def exchange(self, sender, receiver, data):
        body = GLib.Bytes.new(data)
        chunk = sender.make_chunk(None, body, 'text/plain')
        self.assertEqual(chunk.get_method(), 'SEND')
        self.assertEqual(tuple(chunk.get_byte_range()), (True, 1, len(data), len(data)))
        sender.write_chunk_async(chunk, None, self.waiter.callback('write', write_finish))
        receiver.read_chunk_async(0, None, self.waiter.callback('read', read_finish))
        written, got = self.waiter.wait('write', 'read')

        if isinstance(written, GLib.Error):
            self.fail(f'write failed: {written.message}')
        if isinstance(got, GLib.Error):
            self.fail(f'read failed: {got.message}')
        self.assertIs(written, True)
        self.assertIsInstance(got, Msrp.Chunk)
        self.assertEqual(got.get_method(), 'SEND')
        self.assertEqual(got.get_transaction_id(), chunk.get_transaction_id())
        self.assertEqual(got.get_message_id(), chunk.get_message_id())
        self.assertEqual(got.get_content_type(), 'text/plain')
        self.assertEqual(got.get_data().get_data(), data)
        self.assertTrue(receiver.check_incoming_send_chunk(got))

    def close(self, *transports):
        keys = []
        for i, transport in enumerate(transports):
            transport.close_async(None, self.waiter.callback(f'close{i}', close_finish))
            keys.append(f'close{i}')
        for result in self.waiter.wait(*keys):
            if isinstance(result, GLib.Error):
                self.fail(f'close failed: {result.message}')
            self.assertIs(result, True)

    def check_connected(self, acc, con, tls):
        for result in (acc, con):
            if isinstance(result, GLib.Error):
                self.fail(f'complete failed: {result.domain} {result.code}: {result.message}')
            self.assertIsInstance(result, Msrp.Transport)

        stream_type = Gio.TlsConnection if tls else Gio.SocketConnection
        self.assertIsInstance(acc.get_stream(), stream_type)
        self.assertIsInstance(connection_of(con), stream_type)

        self.exchange(con, acc, 'from the active side: h\u00e9llo'.encode())
        self.exchange(acc, con, b'from the passive side')
        self.close(acc, con)

    def test_tcp(self):
        acceptor, connector, acceptor_path, connector_path = self.make_pair()
        acc, con = self.complete(acceptor, connector, acceptor_path, connector_path)
        self.check_connected(acc, con, tls=False)
        # Each side talks to the other's path.
        self.assertTrue(Msrp.path_equal(acc.get_full_remote_path(), connector_path))
        self.assertTrue(Msrp.path_equal(con.get_full_remote_path(), acceptor_path))

    def test_tls_fingerprints(self):
        acceptor, connector, acceptor_path, connector_path = self.make_pair(
            acceptor_cert=self.cert_acceptor, connector_cert=self.cert_connector,
            acceptor_expects=self.cert_connector, connector_expects=self.cert_acceptor)
        acc, con = self.complete(acceptor, connector, acceptor_path, connector_path)
        self.check_connected(acc, con, tls=True)
        # Each side saw the certificate the other side's SDP announced.
        self.assertTrue(acc.get_stream().get_peer_certificate().is_same(self.cert_connector))
        self.assertTrue(connection_of(con).get_peer_certificate().is_same(self.cert_acceptor))

    def check_mismatch(self, acceptor_checks):
        acceptor, connector, acceptor_path, connector_path = self.make_pair(
            acceptor_cert=self.cert_acceptor, connector_cert=self.cert_connector,
            acceptor_expects=self.cert_other if acceptor_checks else self.cert_connector,
            connector_expects=self.cert_acceptor if acceptor_checks else self.cert_other)
        # The acceptor waits on for the right peer until its timeout.
        acceptor.set_timeout(1)
        acc, con = self.complete(acceptor, connector, acceptor_path, connector_path)
        checker, other = (acc, con) if acceptor_checks else (con, acc)

        self.assertIsInstance(checker, GLib.Error, 'the checking side must fail')
        self.assertEqual(checker.domain, 'msrp-error-quark')
        self.assertEqual(checker.code, Msrp.Error.FINGERPRINT_MISMATCH)
        self.assertTrue(checker.matches(Msrp.Error.quark(), Msrp.Error.FINGERPRINT_MISMATCH))
        expected = Msrp.tls_certificate_get_fingerprint(self.cert_other, GLib.ChecksumType.SHA256)
        self.assertIn(expected, checker.message)
        # The other side sees the handshake fail; its error is GIO's.
        self.assertIsInstance(other, GLib.Error, 'the other side must fail too')

    def test_tls_wrong_fingerprint_at_acceptor(self):
        self.check_mismatch(acceptor_checks=True)

    def test_tls_wrong_fingerprint_at_connector(self):
        self.check_mismatch(acceptor_checks=False)


if __name__ == '__main__':
    sys.exit(main())
