# harness.py: what the Python binding tests share: bounded waits on a main
# loop, connector pairs, peers that record their signals, and TAP output
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# PyGObject and the standard library only. The tests import it from their
# own directory (Python puts a script's directory first on sys.path).

import sys
import unittest

from gi.repository import GLib

# Every wait is bounded: a test that gets no answer in this time fails.
TIMEOUT_SECONDS = 20

# GITransfer values (girepository.h).
GI_TRANSFER_CONTAINER = 1


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


def finisher(method):
    """The _finish method of an operation, for Waiter.callback()."""
    return lambda source, result: getattr(source, method)(result)


prepare_finish = finisher('prepare_finish')
complete_finish = finisher('complete_finish')
write_finish = finisher('write_chunk_finish')
read_finish = finisher('read_chunk_finish')
close_finish = finisher('close_finish')
send_message_finish = finisher('send_message_finish')
send_file_finish = finisher('send_file_finish')
shutdown_finish = finisher('shutdown_finish')


def prepare_pair(waiter, acceptor, connector, listen_uri=None):
    """Prepares both sides at once; returns their full local paths (or the
    GLib.Error of each)."""
    acceptor.prepare_async(listen_uri, None, waiter.callback('acc', prepare_finish))
    connector.prepare_async(None, None, waiter.callback('con', prepare_finish))
    return waiter.wait('acc', 'con')


def complete_pair(waiter, acceptor, connector, acceptor_remote, connector_remote):
    """Completes both sides at once, each with the remote path given;
    returns their transports (or the GLib.Error of each)."""
    acceptor.complete_async(acceptor_remote, None, waiter.callback('acc', complete_finish))
    connector.complete_async(connector_remote, None, waiter.callback('con', complete_finish))
    return waiter.wait('acc', 'con')


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


class SessionTestCase(unittest.TestCase):
    """Tests with a Waiter, whose peers (self.peers) are shut down after
    each test."""

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


class TapResult(unittest.TestResult):
    """Prints one TAP line per test, and one per failed subtest."""

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

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            self._line(subtest, False)
            self._diag(self._exc_info_to_string(err, test))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._line(test, True, f' # SKIP {reason}')


def main():
    """Runs the tests of the script being run and prints TAP; returns the
    exit status."""
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules['__main__'])
    result = TapResult()
    suite.run(result)
    # The plan goes last: each failed subtest has a line of its own.
    print(f'1..{result.count}')
    return 0 if result.wasSuccessful() else 1
