#!/usr/bin/python3
# test-file-transfer.py: MsrpFileTransfer from Python (PyGObject)
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Runs against the built typelib: set GI_TYPELIB_PATH and LD_LIBRARY_PATH to
# the build's msrp-glib directory (meson test does). Prints TAP.

import hashlib
import os
import shutil
import sys
import tempfile
import unittest

import gi
gi.require_version('Msrp', '1.0')
from gi.repository import Gio, GLib, Msrp  # noqa: E402

from harness import Waiter, finisher, main  # noqa: E402

initialize_finish = finisher('initialize_finish')
start_finish = finisher('start_finish')


def through_sdp(media):
    """The media as the peer gets it: SDP text."""
    return Msrp.SdpMedia.parse(media.to_string())


class FileTransferTests(unittest.TestCase):
    def setUp(self):
        self.waiter = Waiter(self)
        self.dir = tempfile.mkdtemp(prefix='msrp-ft-py-')
        self.source = os.path.join(self.dir, 'photo.jpg')
        self.data = os.urandom(700 * 1024 + 3)
        with open(self.source, 'wb') as f:
            f.write(self.data)
        self.destination = os.path.join(self.dir, 'received.jpg')

    def tearDown(self):
        shutil.rmtree(self.dir)

    def prepare(self, transfer, name, tls=False):
        transfer.set_local_uri(Msrp.Uri.new('127.0.0.1', 0, None, False))
        transfer.set_use_tls(tls)
        transfer.connect('ended', lambda t: self.waiter.set(name + '-ended', True))
        transfer.connect('failed', lambda t, e: self.waiter.set(name + '-ended', e))
        progress = []
        transfer.connect('notify::bytes-transferred', lambda t, p: progress.append(t.props.bytes_transferred))
        return progress

    def initialize(self, transfer, offer, key):
        transfer.initialize_async(offer, None, self.waiter.callback(key, initialize_finish))
        (media,) = self.waiter.wait(key)
        self.assertIsInstance(media, Msrp.SdpMedia)
        return through_sdp(media)

    def start(self, offerer, answer, answerer):
        offerer.start_async(answer, None, self.waiter.callback('a', start_finish))
        answerer.start_async(None, None, self.waiter.callback('b', start_finish))
        self.assertEqual(self.waiter.wait('a', 'b'), [True, True])

    def check_received(self):
        with open(self.destination, 'rb') as f:
            self.assertEqual(f.read(), self.data)

    def test_push(self):
        for tls in (False, True):
            with self.subTest(tls=tls):
                if os.path.exists(self.destination):
                    os.unlink(self.destination)
                sender = Msrp.FileTransfer.new_push(Gio.File.new_for_path(self.source), 'image/jpeg')
                sent = self.prepare(sender, 'sender', tls)
                offer = self.initialize(sender, None, 'offer')
                self.assertEqual(offer.get_direction(), Msrp.SdpDirection.SENDONLY)
                selector = offer.get_file_selector()
                self.assertEqual(selector.get_name(), 'photo.jpg')
                self.assertEqual(selector.get_content_type(), 'image/jpeg')
                self.assertEqual(selector.get_size(), len(self.data))
                digest = hashlib.sha1(self.data).hexdigest().upper()
                self.assertEqual(selector.get_hash(),
                                 'sha-1:' + ':'.join(digest[i:i + 2] for i in range(0, 40, 2)))
                self.assertEqual(sender.props.size, len(self.data))
                self.assertEqual(sender.props.hash_progress, 1.0)
                self.assertEqual(offer.get_file_transfer_id(), sender.props.transfer_id)

                receiver = Msrp.FileTransfer.new_from_offer(offer, Gio.File.new_for_path(self.destination))
                received = self.prepare(receiver, 'receiver', tls)
                self.assertFalse(receiver.props.is_sender)
                answer = self.initialize(receiver, offer, 'answer')
                self.assertEqual(answer.get_direction(), Msrp.SdpDirection.RECVONLY)
                self.start(sender, answer, receiver)
                self.assertEqual(self.waiter.wait('sender-ended', 'receiver-ended'), [True, True])
                self.check_received()
                self.assertEqual(sent[-1], len(self.data))
                self.assertEqual(received[-1], len(self.data))
                self.assertEqual(sender.get_bytes_transferred(), len(self.data))

    def test_pull(self):
        wanted = Msrp.FileSelector.new('photo.jpg', 'image/jpeg', len(self.data), None)
        receiver = Msrp.FileTransfer.new_pull(wanted, Gio.File.new_for_path(self.destination))
        self.prepare(receiver, 'receiver')
        offer = self.initialize(receiver, None, 'offer')
        self.assertEqual(offer.get_direction(), Msrp.SdpDirection.RECVONLY)
        sender = Msrp.FileTransfer.new_from_offer(offer, Gio.File.new_for_path(self.source))
        self.assertTrue(sender.get_is_sender())
        self.prepare(sender, 'sender')
        answer = self.initialize(sender, offer, 'answer')
        self.start(receiver, answer, sender)
        self.assertEqual(self.waiter.wait('sender-ended', 'receiver-ended'), [True, True])
        self.check_received()

    def test_errors(self):
        missing = Msrp.FileTransfer.new_push(Gio.File.new_for_path(os.path.join(self.dir, 'nothing')), None)
        self.prepare(missing, 'missing')
        missing.initialize_async(None, None, self.waiter.callback('init', initialize_finish))
        error, failed = self.waiter.wait('init', 'missing-ended')
        self.assertIsInstance(error, GLib.Error)
        self.assertTrue(error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.NOT_FOUND))
        self.assertTrue(failed.matches(Gio.io_error_quark(), Gio.IOErrorEnum.NOT_FOUND))

        with self.assertRaises(GLib.Error) as raised:
            Msrp.FileTransfer.new_from_offer(Msrp.SdpMedia.new('message'), Gio.File.new_for_path(self.destination))
        self.assertTrue(raised.exception.matches(Msrp.Error.quark(), Msrp.Error.MEDIA_REFUSED))
        self.assertEqual(Msrp.Error.HASH_MISMATCH, Msrp.Error.PEER_UNSUPPORTED + 1)

    def test_set_range(self):
        transfer = Msrp.FileTransfer.new_push(Gio.File.new_for_path(self.source), None)
        self.assertEqual(transfer.get_range(), (False, 1, -1))
        transfer.set_range(1001, -1)
        self.assertEqual(transfer.get_range(), (True, 1001, -1))
        self.prepare(transfer, 'sender')
        offer = self.initialize(transfer, None, 'offer')
        self.assertEqual(offer.get_file_range(), (True, 1001, -1))


if __name__ == '__main__':
    sys.exit(main())
