#!/usr/bin/python3
# test-outgoing-file.py: MsrpOutgoingFile from Python (PyGObject)
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Runs against the built typelib: set GI_TYPELIB_PATH and LD_LIBRARY_PATH to
# the build's msrp-glib directory (meson test does). Prints TAP.

import os
import sys
import tempfile
import unittest

import gi
gi.require_version('Msrp', '1.0')
from gi.repository import Gio, GLib, Msrp  # noqa: E402

from harness import Waiter, main  # noqa: E402


def memory_stream(data):
    return Gio.MemoryInputStream.new_from_bytes(GLib.Bytes.new(data))


class OutgoingFileTests(unittest.TestCase):
    def test_new_defaults(self):
        stream = memory_stream(b'hello')
        f = Msrp.OutgoingFile.new(stream, 5, None, 0, None)
        self.assertIs(f.get_stream(), stream)
        self.assertIs(f.props.stream, stream)
        self.assertEqual(f.props.size, 5)
        self.assertEqual(f.get_size(), 5)
        self.assertEqual(f.props.position, 0)
        self.assertEqual(f.props.bytes_sent, 0)
        self.assertEqual(f.get_bytes_sent(), 0)
        self.assertEqual(f.props.content_type, 'application/octet-stream')
        self.assertEqual(f.get_content_type(), 'application/octet-stream')
        self.assertEqual(len(f.props.message_id), 16)
        self.assertEqual(f.get_message_id(), f.props.message_id)
        self.assertIsNone(f.props.file_name)
        self.assertIsNone(f.get_file_name())

    def test_new_resume(self):
        f = Msrp.OutgoingFile.new(memory_stream(b'rest'), -1, 'text/plain', 100, 'abc123')
        self.assertEqual(f.props.size, -1)
        self.assertEqual(f.props.position, 100)
        self.assertEqual(f.get_position(), 100)
        self.assertEqual(f.props.bytes_sent, 100)
        self.assertEqual(f.props.message_id, 'abc123')
        self.assertEqual(f.props.content_type, 'text/plain')

    def test_construct_properties(self):
        f = Msrp.OutgoingFile(stream=memory_stream(b'x'), size=1, message_id='m1')
        self.assertEqual(f.props.size, 1)
        self.assertEqual(f.props.message_id, 'm1')
        self.assertEqual(f.props.content_type, 'application/octet-stream')

    def test_bytes_sent_read_only(self):
        f = Msrp.OutgoingFile.new(memory_stream(b'x'), 1, None, 0, None)
        with self.assertRaises(TypeError):
            f.props.bytes_sent = 1

    def test_headers(self):
        f = Msrp.OutgoingFile.new(memory_stream(b'x'), 1, None, 0, None)
        f.set_header('Content-Disposition', 'attachment; filename="a.txt"')
        self.assertEqual(f.get_header('content-disposition'), 'attachment; filename="a.txt"')
        f.set_header('Content-Disposition', None)
        self.assertIsNone(f.get_header('Content-Disposition'))

    def test_new_for_file(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, 'hello.txt')
            with open(path, 'wb') as out:
                out.write(b'Hello, world.\n')
            f = Msrp.OutgoingFile.new_for_file(Gio.File.new_for_path(path), None)
            self.assertEqual(f.props.size, 14)
            self.assertEqual(f.props.content_type, 'text/plain')
            self.assertEqual(f.props.file_name, 'hello.txt')
            f.get_stream().close(None)

    def test_new_for_missing_file(self):
        with tempfile.TemporaryDirectory() as tmp:
            gfile = Gio.File.new_for_path(os.path.join(tmp, 'missing.txt'))
            with self.assertRaises(GLib.Error) as cm:
                Msrp.OutgoingFile.new_for_file(gfile, None)
            self.assertTrue(cm.exception.matches(Gio.io_error_quark(), Gio.IOErrorEnum.NOT_FOUND))

    def test_new_for_file_async(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, 'hello.txt')
            with open(path, 'wb') as out:
                out.write(b'Hello, world.\n')
            waiter = Waiter(self)
            finish = lambda source, result: Msrp.OutgoingFile.new_for_file_finish(result)
            Msrp.OutgoingFile.new_for_file_async(Gio.File.new_for_path(path), None, None,
                                                 waiter.callback('open', finish))
            Msrp.OutgoingFile.new_for_file_async(Gio.File.new_for_path(os.path.join(tmp, 'missing')),
                                                 None, None, waiter.callback('missing', finish))
            f, missing = waiter.wait('open', 'missing')
            self.assertIsInstance(f, Msrp.OutgoingFile)
            self.assertEqual(f.props.size, 14)
            self.assertEqual(f.props.content_type, 'text/plain')
            self.assertEqual(f.props.file_name, 'hello.txt')
            f.get_stream().close(None)
            self.assertIsInstance(missing, GLib.Error)
            self.assertTrue(missing.matches(Gio.io_error_quark(), Gio.IOErrorEnum.NOT_FOUND))


if __name__ == '__main__':
    sys.exit(main())
