#!/usr/bin/python3
# test-session.py: MsrpSession between two endpoints on loopback, driven
# from Python (PyGObject) through the typelib
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

# Every wait is bounded: a test that gets no answer in this time fails.
TIMEOUT_SECONDS = 20

CHUNK_SIZE = 64 * 1024


class Waiter:
    """One main loop per test. Runs it until every awaited key has a result,
    or fails the test when TIMEOUT_SECONDS pass first. Results (or the
    GLib.Error of a _finish) are kept by key, and so are signal emissions
    (set()): an exception raised in a callback or a signal handler would only
    be printed by PyGObject, so the test body checks them afterwards."""

    def __init__(self, test):
        self.test = test
        self.loop = GLib.MainLoop()
        self.results = {}
        self.expected = set()

    def set(self, key, value):
        self.results[key] = value
        if self.expected and self.expected <= self.results.keys():
            self.loop.quit()

    def callback(self, key, finish):
        def on_ready(source, result, *user_data):
            try:
                value = finish(source, result)
            except GLib.Error as e:
                value = e
            self.set(key, value)
        return on_ready

    def wait(self, *keys):
        self.expected = set(keys)
        timed_out = []

        def on_timeout():
            timed_out.append(True)
            self.loop.quit()
            return GLib.SOURCE_REMOVE

        if not self.expected <= self.results.keys():
            source_id = GLib.timeout_add_seconds(TIMEOUT_SECONDS, on_timeout)
            self.loop.run()
            if not timed_out:
                GLib.source_remove(source_id)
        self.expected = set()
        if timed_out:
            missing = sorted(set(keys) - self.results.keys())
            self.test.fail(f'timed out after {TIMEOUT_SECONDS} s waiting for {missing}')
        return [self.results.pop(k) for k in keys]


def prepare_finish(connector, result):
    return connector.prepare_finish(result)


def complete_finish(connector, result):
    return connector.complete_finish(result)


def send_message_finish(session, result):
    return session.send_message_finish(result)


def send_file_finish(session, result):
    return session.send_file_finish(result)


def shutdown_finish(session, result):
    return session.shutdown_finish(result)


def describe(result):
    if isinstance(result, GLib.Error):
        return f'{result.domain} {result.code}: {result.message}'
    return repr(result)


def payload(size):
    """size bytes that are not all alike, so a misplaced chunk shows."""
    return bytes((i * 7 + i // 251) & 0xff for i in range(size))


class Peer:
    """A session and what its signals brought, in order."""

    def __init__(self, name, session, waiter):
        self.name = name
        self.session = session
        self.chunks = []     # chunk-received: Msrp.Chunk
        self.messages = []   # message-received: (first_chunk, GLib.Bytes)
        self.reports = []    # report-received: Msrp.Chunk
        self.closed = []     # closed: GLib.Error or None
        self.events = []     # the names of the signals, in order
        session.connect('chunk-received', self.on_chunk)
        session.connect('message-received', self.on_message)
        session.connect('report-received', self.on_report)
        session.connect('closed', self.on_closed)
        self.waiter = waiter

    def on_chunk(self, session, chunk):
        self.chunks.append(chunk)
        self.events.append('chunk-received')

    def on_message(self, session, first_chunk, data):
        self.messages.append((first_chunk, data))
        self.events.append('message-received')
        self.waiter.set(f'{self.name}-message{len(self.messages)}', True)

    def on_report(self, session, report):
        self.reports.append(report)
        self.events.append('report-received')
        self.waiter.set(f'{self.name}-report{len(self.reports)}', True)

    def on_closed(self, session, error):
        self.closed.append(error)
        self.events.append('closed')
        self.waiter.set(f'{self.name}-closed', error)


class SessionTests(unittest.TestCase):
    def setUp(self):
        self.waiter = Waiter(self)
        self.peers = []

    def tearDown(self):
        # Both ends shut down, whatever the test left; a session already
        # closed finishes at once.
        keys = []
        for peer in self.peers:
            key = f'{peer.name}-shutdown-teardown'
            peer.session.shutdown_async(None, self.waiter.callback(key, shutdown_finish))
            keys.append(key)
        if keys:
            self.waiter.wait(*keys)

    def connect_sessions(self, accept_types_b=None):
        """Connects an acceptor and a connector on loopback and starts a
        session on each transport: a on the connector (active), b on the
        acceptor (passive)."""
        acceptor = Msrp.AcceptorDirect.new()
        connector = Msrp.ConnectorDirect.new()
        acceptor.prepare_async(Msrp.Uri.new('127.0.0.1', 0, None, False), None,
                               self.waiter.callback('acc', prepare_finish))
        connector.prepare_async(None, None, self.waiter.callback('con', prepare_finish))
        acceptor_path, connector_path = self.waiter.wait('acc', 'con')
        for path in (acceptor_path, connector_path):
            self.assertIsInstance(path, list, describe(path))

        acceptor.complete_async(connector_path, None, self.waiter.callback('acc', complete_finish))
        connector.complete_async(acceptor_path, None, self.waiter.callback('con', complete_finish))
        tb, ta = self.waiter.wait('acc', 'con')
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

    def test_text_message(self):
        a, b = self.connect_sessions()
        data = 'h\u00e9llo from Python'.encode()
        a.session.send_message_async(GLib.Bytes.new(data), 'text/plain', None,
                                     self.waiter.callback('sent', send_message_finish))
        message_id, _ = self.waiter.wait('sent', 'b-message1')

        self.assertIsInstance(message_id, str, describe(message_id))
        self.assertEqual(len(b.messages), 1)
        first_chunk, got = b.messages[0]
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
        a.session.send_message_async(GLib.Bytes.new(data), 'application/octet-stream', None,
                                     self.waiter.callback('sent', send_message_finish))
        message_id, _ = self.waiter.wait('sent', 'b-message1')

        self.assertIsInstance(message_id, str, describe(message_id))
        self.assertEqual(len(b.messages), 1)
        first_chunk, got = b.messages[0]
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


class TapResult(unittest.TestResult):
    """Prints one TAP line per test."""

    def __init__(self):
        super().__init__()
        self.count = 0

    def _line(self, test, ok, directive=''):
        self.count += 1
        name = test.id().split('.', 1)[-1]
        print(f'{"ok" if ok else "not ok"} {self.count} - {name}{directive}', flush=True)

    def _diag(self, text):
        for line in text.rstrip().splitlines():
            print(f'# {line}')

    def addSuccess(self, test):
        super().addSuccess(test)
        self._line(test, True)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._line(test, False)
        self._diag(self.failures[-1][1])

    def addError(self, test, err):
        super().addError(test, err)
        self._line(test, False)
        self._diag(self.errors[-1][1])

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._line(test, True, f' # SKIP {reason}')


def main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    result = TapResult()
    suite.run(result)
    print(f'1..{result.count}')
    return 0 if result.wasSuccessful() else 1


if __name__ == '__main__':
    sys.exit(main())
