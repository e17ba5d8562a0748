#!/usr/bin/python3
# test-stream-tunnel.py: MsrpStreamTunnel from Python (PyGObject)
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Runs against the built typelib: set GI_TYPELIB_PATH and LD_LIBRARY_PATH to
# the build's msrp-glib directory (meson test does). Prints TAP.

import os
import sys
import unittest

import gi
gi.require_version('Msrp', '1.0')
from gi.repository import Gio, GLib, Msrp  # noqa: E402

from harness import Waiter, finisher, main  # noqa: E402

initialize_finish = finisher('initialize_finish')
start_finish = finisher('start_finish')
end_finish = finisher('end_finish')


def write_all_finish(stream, result):
    ok, written = stream.write_all_finish(result)
    return written


def read_bytes_finish(stream, result):
    return stream.read_bytes_finish(result).get_data()


class StreamTunnelTests(unittest.TestCase):
    def setUp(self):
        self.waiter = Waiter(self)

    def make(self, name, role, tls):
        tunnel = Msrp.StreamTunnel.new('application/x-rfb')
        tunnel.props.role = role
        tunnel.set_local_uri(Msrp.Uri.new('127.0.0.1', 0, None, False))
        tunnel.set_use_tls(tls)
        tunnel.connect('ended', lambda t: self.waiter.set(name + '-ended', True))
        tunnel.connect('failed', lambda t, e: self.waiter.set(name + '-ended', e))
        return tunnel

    def initialize(self, tunnel, offer, key):
        tunnel.initialize_async(offer, None, self.waiter.callback(key, initialize_finish))
        (media,) = self.waiter.wait(key)
        self.assertIsInstance(media, Msrp.SdpMedia)
        return Msrp.SdpMedia.parse(media.to_string())

    def read_to_eof(self, stream, key):
        got = bytearray()
        while True:
            stream.read_bytes_async(65536, GLib.PRIORITY_DEFAULT, None,
                                    self.waiter.callback(key, read_bytes_finish))
            (data,) = self.waiter.wait(key)
            if isinstance(data, GLib.Error):
                raise data
            if not data:
                return bytes(got)
            got += data

    def test_tunnel(self):
        for tls in (False, True):
            with self.subTest(tls=tls):
                server = self.make('server', Msrp.TunnelRole.PASSIVE, tls)
                viewer = self.make('viewer', Msrp.TunnelRole.NONE, tls)
                offer = self.initialize(server, None, 'offer')
                self.assertEqual(offer.get_media(), 'application')
                self.assertEqual(offer.get_accept_types(), ['application/x-rfb'])
                self.assertEqual(offer.get_attribute('rfbsetup'), 'passive')
                answer = self.initialize(viewer, offer, 'answer')
                self.assertEqual(answer.get_attribute('rfbsetup'), 'active')
                self.assertEqual(viewer.props.role, Msrp.TunnelRole.ACTIVE)

                server.start_async(answer, None, self.waiter.callback('a', start_finish))
                viewer.start_async(None, None, self.waiter.callback('b', start_finish))
                self.assertEqual(self.waiter.wait('a', 'b'), [True, True])

                stream = server.get_stream()
                self.assertIsInstance(stream, Gio.IOStream)
                data = os.urandom(300 * 1024 + 7)
                out = stream.get_output_stream()
                out.write_all_async(data, GLib.PRIORITY_DEFAULT, None,
                                    self.waiter.callback('written', write_all_finish))
                self.assertEqual(self.waiter.wait('written'), [len(data)])
                out.close_async(GLib.PRIORITY_DEFAULT, None,
                                self.waiter.callback('closed', finisher('close_finish')))
                self.assertEqual(self.waiter.wait('closed'), [True])

                got = self.read_to_eof(viewer.get_stream().get_input_stream(), 'read')
                self.assertEqual(got, data)

                viewer.end_async(None, self.waiter.callback('end', end_finish))
                self.assertEqual(self.waiter.wait('end', 'viewer-ended', 'server-ended'), [True, True, True])


if __name__ == '__main__':
    sys.exit(main())
