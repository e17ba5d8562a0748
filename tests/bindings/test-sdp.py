#!/usr/bin/python3
# test-sdp.py: MsrpSdpMedia and MsrpFileSelector from Python (PyGObject)
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Runs against the built typelib: set GI_TYPELIB_PATH and LD_LIBRARY_PATH to
# the build's msrp-glib directory (meson test does). Prints TAP.

import hashlib
import os
import sys
import tempfile
import unittest

import gi
gi.require_version('Msrp', '1.0')
from gi.repository import Gio, GLib, Msrp  # noqa: E402

from harness import Waiter, main  # noqa: E402

HASH = 'sha-1:72:24:5F:E8:65:3D:DA:F3:71:36:2F:86:D4:71:91:3E:E4:A2:CE:2E'

# The offer of RFC 5547 section 9.1 (a push), as a whole SDP body.
PUSH_OFFER = (
    'v=0\r\n'
    'o=alice 2890844526 2890844526 IN IP4 alicepc.example.com\r\n'
    's=\r\n'
    'c=IN IP4 alicepc.example.com\r\n'
    't=0 0\r\n'
    'm=message 7654 TCP/MSRP *\r\n'
    'i=This is my latest picture\r\n'
    'a=sendonly\r\n'
    'a=accept-types:message/cpim\r\n'
    'a=accept-wrapped-types:*\r\n'
    'a=path:msrp://alicepc.example.com:7654/jshA7we;tcp\r\n'
    'a=file-selector:name:"My cool picture.jpg" type:image/jpeg size:32349 hash:' + HASH + '\r\n'
    'a=file-transfer-id:vBnG916bdberum2fFEABR1FR3ExZMUrd\r\n'
    'a=file-disposition:attachment\r\n'
    'a=file-date:creation:"Mon, 15 May 2006 15:01:31 +0300"\r\n'
    'a=file-icon:cid:id2@alicepc.example.com\r\n'
    'a=file-range:1-32349\r\n'
)


def new_for_file_finish(source, result):
    return Msrp.FileSelector.new_for_file_finish(result)


class SdpTests(unittest.TestCase):
    def test_parse_push_offer(self):
        media = Msrp.SdpMedia.parse(PUSH_OFFER)
        self.assertEqual(media.get_media(), 'message')
        self.assertEqual(media.props.port, 7654)
        self.assertEqual(media.props.connection_address, 'alicepc.example.com')
        self.assertEqual(media.props.direction, Msrp.SdpDirection.SENDONLY)
        self.assertEqual(media.props.accept_types, ['message/cpim'])
        self.assertEqual(media.get_accept_wrapped_types(), ['*'])
        path = media.get_path()
        self.assertEqual([uri.to_string() for uri in path],
                         ['msrp://alicepc.example.com:7654/jshA7we;tcp'])
        self.assertEqual(media.props.max_size, -1)
        self.assertIsNone(media.props.setup)
        self.assertFalse(media.props.cema)
        self.assertEqual(media.get_file_range(), (True, 1, 32349))
        self.assertEqual((media.props.file_range_start, media.props.file_range_stop), (1, 32349))
        self.assertEqual(media.props.file_transfer_id, 'vBnG916bdberum2fFEABR1FR3ExZMUrd')
        self.assertEqual(media.get_attribute('file-icon'), 'cid:id2@alicepc.example.com')
        selector = media.props.file_selector
        self.assertEqual((selector.props.name, selector.props.content_type, selector.props.size,
                          selector.props.hash),
                         ('My cool picture.jpg', 'image/jpeg', 32349, HASH))
        # the media section, exactly, with the session's c= in it
        section = PUSH_OFFER[PUSH_OFFER.index('m='):]
        self.assertEqual(media.to_string(),
                         section.replace('i=This is my latest picture\r\n',
                                         'i=This is my latest picture\r\nc=IN IP4 alicepc.example.com\r\n'))
        self.assertEqual(Msrp.SdpMedia.parse(section).to_string(), section)

    def test_build(self):
        media = Msrp.SdpMedia.new('message')
        notified = []
        media.connect('notify', lambda obj, pspec: notified.append(pspec.name))
        media.props.port = 7394
        media.props.protocol = 'TCP/TLS/MSRP'
        media.props.connection_address = '2001:db8::1'
        media.set_path(Msrp.path_parse('msrps://[2001:db8::1]:7394/2s93i93idj;tcp'))
        media.props.accept_types = ['message/cpim', 'text/plain']
        media.props.setup = 'actpass'
        media.props.fingerprint = 'sha-256 AB:CD'
        media.props.cema = True
        media.add_attribute('chatroom', 'nickname')
        media.set_file_range(10, -1)
        self.assertEqual(media.to_string(),
                         'm=message 7394 TCP/TLS/MSRP *\r\n'
                         'c=IN IP6 2001:db8::1\r\n'
                         'a=path:msrps://[2001:db8::1]:7394/2s93i93idj;tcp\r\n'
                         'a=accept-types:message/cpim text/plain\r\n'
                         'a=setup:actpass\r\n'
                         'a=fingerprint:sha-256 AB:CD\r\n'
                         'a=msrp-cema\r\n'
                         'a=file-range:10-*\r\n'
                         'a=chatroom:nickname\r\n')
        self.assertEqual(notified, ['port', 'protocol', 'connection-address', 'path', 'accept-types',
                                    'setup', 'fingerprint', 'cema', 'file-range-start',
                                    'file-range-stop'])
        copy = media.copy()
        media.props.setup = None
        self.assertIsNone(media.props.setup)
        self.assertEqual(copy.props.setup, 'actpass')

    def test_malformed(self):
        with self.assertRaises(GLib.Error) as cm:
            Msrp.SdpMedia.parse('m=message 1 TCP/MSRP *\r\na=max-size:lots\r\n')
        self.assertTrue(cm.exception.matches(Msrp.Error.quark(), Msrp.Error.MALFORMED_SDP))
        self.assertIn('Line 2', cm.exception.message)
        self.assertIn('max-size', cm.exception.message)

    def test_file_selector(self):
        selector = Msrp.FileSelector.new('a "b".txt', 'text/plain; charset=utf-8', 12, None)
        self.assertEqual(selector.to_string(), 'name:"a %22b%22.txt" type:text/plain;charset="utf-8" size:12')
        parsed = Msrp.FileSelector.parse(selector.to_string())
        self.assertTrue(parsed.equal(selector))
        self.assertEqual(parsed.get_name(), 'a "b".txt')
        self.assertIsNone(parsed.get_hash())
        made = Msrp.FileSelector(name='x.bin', size=3)
        self.assertEqual(made.to_string(), 'name:"x.bin" size:3')
        with self.assertRaises(GLib.Error) as cm:
            Msrp.FileSelector.parse('size:big')
        self.assertTrue(cm.exception.matches(Msrp.Error.quark(), Msrp.Error.MALFORMED_SDP))

    def test_new_for_file(self):
        data = bytes((i * 7 + i // 251) & 0xff for i in range(100000))
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, 'photo.jpg')
            with open(path, 'wb') as f:
                f.write(data)
            waiter = Waiter(self)
            Msrp.FileSelector.new_for_file_async(Gio.File.new_for_path(path), 'image/jpeg', None,
                                                 waiter.callback('ok', new_for_file_finish))
            Msrp.FileSelector.new_for_file_async(Gio.File.new_for_path(path + '.missing'), None, None,
                                                 waiter.callback('missing', new_for_file_finish))
            selector, missing = waiter.wait('ok', 'missing')
        digest = hashlib.sha1(data).hexdigest().upper()
        expected = 'sha-1:' + ':'.join(digest[i:i + 2] for i in range(0, 40, 2))
        self.assertIsInstance(selector, Msrp.FileSelector)
        self.assertEqual((selector.props.name, selector.props.content_type, selector.props.size,
                          selector.props.hash), ('photo.jpg', 'image/jpeg', len(data), expected))
        self.assertIsInstance(missing, GLib.Error)
        self.assertTrue(missing.matches(Gio.io_error_quark(), Gio.IOErrorEnum.NOT_FOUND))


if __name__ == '__main__':
    sys.exit(main())
