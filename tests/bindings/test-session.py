#!/usr/bin/python3
# test-session.py: MsrpSession between two endpoints on loopback, driven
# from Python (PyGObject) through the typelib
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Runs against the built typelib: set GI_TYPELIB_PATH and LD_LIBRARY_PATH to
# the build's msrp-glib directory (meson test does). Prints TAP.

import sys

import gi
gi.require_version('Msrp', '1.0')
from gi.repository import Gio, GLib, Msrp  # noqa: E402

from harness import (  # noqa: E402
    Peer, SessionTestCase, complete_pair, describe, main, payload, prepare_pair, send_file_finish,
    send_message_finish, shutdown_finish)

CHUNK_SIZE = 64 * 1024


class SessionTests(SessionTestCase):
    def connect_sessions(self, accept_types_b=None):
        """Connects an acceptor and a connector on loopback and starts a
        session on each transport: a on the connector (active), b on the
        acceptor (passive)."""
        acceptor = Msrp.AcceptorDirect.new()
        connector = Msrp.ConnectorDirect.new()
        acceptor_path, connector_path = prepare_pair(self.waiter, acceptor, connector,
                                                     Msrp.Uri.new('127.0.0.1', 0, None, False))
        for path in (acceptor_path, connector_path):
            self.assertIsInstance(path, list, describe(path))

        tb, ta = complete_pair(self.waiter, acceptor, connector, connector_path, acceptor_path)
        for transport in (ta, tb):
            self.assertIsInstance(transport, Msrp.Transport, describe(transport))

        session_a = Msrp.Session.new(ta, None)
        session_b = Msrp.Session.new(tb, accept_types_b)
        self.assertIsInstance(session_a, Msrp.Session)
        self.assertIs(session_a.get_transport(), ta)
        self.assertIs(session_b.props.transport, tb)
        self.assertEqual(list(session_b.get_accept_types()), accept_types_b or ['*'])
        a = Peer('a', session_a, self.waiter)
        b = Peer('b', session_b, self.waiter)
        self.peers = [a, b]
        return a, b

    def send_first_message(self, a, b, data, content_type):
        """Sends data from a and waits until b has it: its first message.
        Gives the Message-ID, and the first chunk and data b got."""
        a.session.send_message_async(GLib.Bytes.new(data), content_type, None,
                                     self.waiter.callback('sent', send_message_finish))
        message_id, _ = self.waiter.wait('sent', f'{b.name}-message1')

        self.assertIsInstance(message_id, str, describe(message_id))
        self.assertEqual(len(b.messages), 1)
        first_chunk, got = b.messages[0]
        return message_id, first_chunk, got

    def test_text_message(self):
        a, b = self.connect_sessions()
        data = 'h\u00e9llo from Python'.encode()
        message_id, first_chunk, got = self.send_first_message(a, b, data, 'text/plain')
        self.assertIsInstance(first_chunk, Msrp.Chunk)
        self.assertIsInstance(got, GLib.Bytes)
        self.assertEqual(got.get_data(), data)
        self.assertEqual(first_chunk.get_message_id(), message_id)
        self.assertEqual(first_chunk.get_method(), 'SEND')
        self.assertEqual(first_chunk.get_content_type(), 'text/plain')
        self.assertEqual(len(b.chunks), 1)
        self.assertEqual(b.chunks[0].get_data().get_data(), data)
        # Nothing came back to a but the response.
        self.assertEqual(a.messages, [])
        self.assertEqual(a.reports, [])

    def test_large_message_in_chunks(self):
        a, b = self.connect_sessions()
        self.assertEqual(a.session.get_max_chunk_size(), Msrp.DEFAULT_MAX_CHUNK_SIZE)
        a.session.set_max_chunk_size(CHUNK_SIZE)
        self.assertEqual(a.session.props.max_chunk_size, CHUNK_SIZE)
        data = payload(300 * 1024)
        message_id, first_chunk, got = self.send_first_message(a, b, data, 'application/octet-stream')
        self.assertEqual(first_chunk.get_message_id(), message_id)
        self.assertEqual(got.get_size(), len(data))
        self.assertEqual(got.get_data(), data)

        # 300 KiB in chunks of 64 KiB: 5 chunks, each in its place.
        expected_chunks = -(-len(data) // CHUNK_SIZE)
        self.assertEqual(len(b.chunks), expected_chunks)
        self.assertEqual(b.events.count('message-received'), 1)
        self.assertEqual(b.events[-1], 'message-received')
        for chunk in b.chunks:
            self.assertEqual(chunk.get_message_id(), message_id)
            body = chunk.get_data().get_data()
            self.assertLessEqual(len(body), CHUNK_SIZE)
            known, start, end, total = chunk.get_byte_range()
            self.assertTrue(known)
            self.assertEqual(total, len(data))
            self.assertEqual(end - start + 1, len(body))
            self.assertEqual(body, data[start - 1:end])

    def test_file(self):
        a, b = self.connect_sessions()
        data = payload(200 * 1024 + 17)
        stream = Gio.MemoryInputStream.new_from_bytes(GLib.Bytes.new(data))
        f = Msrp.OutgoingFile.new(stream, len(data), 'application/octet-stream', 0, None)
        self.assertEqual(f.props.bytes_sent, 0)

        progress = []

        def on_bytes_sent(obj, pspec):
            progress.append(obj.props.bytes_sent)
            if obj.get_bytes_sent() == len(data):
                self.waiter.set('all-sent', True)

        f.connect('notify::bytes-sent', on_bytes_sent)
        a.session.send_file_async(f, None, self.waiter.callback('sent', send_file_finish))
        sent, _, _ = self.waiter.wait('sent', 'all-sent', 'b-message1')

        self.assertIs(sent, True, describe(sent))
        self.assertEqual(f.get_bytes_sent(), len(data))
        self.assertEqual(progress[-1], len(data))
        self.assertEqual(progress, sorted(progress), 'bytes-sent only grows')
        self.assertGreater(len(progress), 1, 'several notifications for several chunks')
        first_chunk, got = b.messages[0]
        self.assertEqual(first_chunk.get_message_id(), f.get_message_id())
        self.assertEqual(first_chunk.get_content_type(), 'application/octet-stream')
        self.assertEqual(got.get_data(), data)
        self.assertEqual(len(b.messages), 1)

    def test_success_report(self):
        a, b = self.connect_sessions()
        a.session.set_success_report(True)
        self.assertTrue(a.session.props.success_report)

        order = []
        a.session.connect('report-received', lambda session, report: order.append('report'))

        def finish(session, result):
            order.append('finished')
            return session.send_message_finish(result)

        data = b'please confirm'
        a.session.send_message_async(GLib.Bytes.new(data), 'text/plain', None,
                                     self.waiter.callback('sent', finish))
        message_id, _, _ = self.waiter.wait('sent', 'a-report1', 'b-message1')

        self.assertIsInstance(message_id, str, describe(message_id))
        self.assertEqual(order, ['report', 'finished'])
        report = a.reports[0]
        self.assertEqual(report.get_method(), 'REPORT')
        self.assertEqual(report.get_message_id(), message_id)
        has_status, code, comment = report.get_status()
        self.assertTrue(has_status)
        self.assertEqual(code, Msrp.Status.OK)
        self.assertEqual(b.messages[0][1].get_data(), data)
        self.assertEqual(b.messages[0][0].get_header('Success-Report'), 'yes')

    def test_unsupported_media_type(self):
        a, b = self.connect_sessions(accept_types_b=['text/plain'])
        a.session.send_message_async(GLib.Bytes.new(b'\x89PNG\r\n\x1a\n'), 'image/png', None,
                                     self.waiter.callback('sent', send_message_finish))
        error, = self.waiter.wait('sent')

        self.assertIsInstance(error, GLib.Error, f'must be refused, got {describe(error)}')
        self.assertTrue(error.matches(Msrp.TransactionError.quark(),
                                      Msrp.TransactionError.UNSUPPORTED_MEDIA_TYPE))
        self.assertEqual(error.code, 415)
        self.assertEqual(error.code, Msrp.Status.UNSUPPORTED_MEDIA_TYPE)
        self.assertEqual(b.chunks, [])
        self.assertEqual(b.messages, [])

        # The session still works for a type the peer takes.
        a.session.send_message_async(GLib.Bytes.new(b'text is fine'), 'text/plain', None,
                                     self.waiter.callback('sent', send_message_finish))
        message_id, _ = self.waiter.wait('sent', 'b-message1')
        self.assertIsInstance(message_id, str, describe(message_id))
        self.assertEqual(b.messages[0][1].get_data(), b'text is fine')

    def test_shutdown(self):
        a, b = self.connect_sessions()
        a.session.shutdown_async(None, self.waiter.callback('shutdown', shutdown_finish))
        done, b_error, a_error = self.waiter.wait('shutdown', 'b-closed', 'a-closed')

        self.assertIs(done, True, describe(done))
        self.assertIsNone(b_error, f'a clean close, got {describe(b_error)}')
        self.assertIsNone(a_error, f'a clean close, got {describe(a_error)}')
        self.assertEqual(a.closed, [None])
        self.assertEqual(b.closed, [None])

        # A closed session refuses to send.
        b.session.send_message_async(GLib.Bytes.new(b'too late'), 'text/plain', None,
                                     self.waiter.callback('sent', send_message_finish))
        error, = self.waiter.wait('sent')
        self.assertIsInstance(error, GLib.Error, describe(error))
        self.assertEqual(error.domain, 'msrp-error-quark')
        self.assertEqual(error.code, Msrp.Error.CONNECTION_CLOSED)


if __name__ == '__main__':
    sys.exit(main())
