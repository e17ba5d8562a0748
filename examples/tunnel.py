#!/usr/bin/python3
# tunnel.py: bytes through an MsrpStreamTunnel, both ends in one process
#
# The side with the screen (a VNC server, here a greeting) offers a tunnel
# for "application/x-rfb", the viewer answers, and both start; in an
# application the offer and the answer travel in SIP, here they go as SDP
# text. The server writes and closes its output, the viewer reads up to
# end-of-file and ends the tunnel. Exits 0 once the viewer read it all and
# both tunnels ended.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import sys

import gi
gi.require_version('Msrp', '1.0')
from gi.repository import GLib, Msrp  # noqa: E402

GREETING = b'RFB 003.008\n'
loop = GLib.MainLoop()
ended = []
received = bytearray()


def on_ended(tunnel, who):
    ended.append(who)
    if len(ended) == 2:
        loop.quit()


def watch(tunnel, who):
    tunnel.connect('ended', on_ended, who)
    tunnel.connect('failed', lambda t, error: (print('failed:', error.message), loop.quit()))


server = Msrp.StreamTunnel.new('application/x-rfb')
# This side has the screen: a=rfbsetup:passive.
server.props.role = Msrp.TunnelRole.PASSIVE
watch(server, 'server')
viewer = None


def on_written(output, result):
    output.write_bytes_finish(result)
    # The viewer reads this as end-of-file.
    output.close_async(GLib.PRIORITY_DEFAULT, None, None)


def on_server_started(server, result):
    server.start_finish(result)
    output = server.get_stream().get_output_stream()
    # A GLib.Bytes stays alive until the write is done (and the greeting
    # fits in one write).
    output.write_bytes_async(GLib.Bytes.new(GREETING), GLib.PRIORITY_DEFAULT, None, on_written)


def on_read(input_stream, result):
    data = input_stream.read_bytes_finish(result).get_data()
    if data:
        received.extend(data)
        input_stream.read_bytes_async(65536, GLib.PRIORITY_DEFAULT, None, on_read)
        return
    print('viewer read:', received.decode(), end='')
    viewer.end_async(None, None)


def on_answer(viewer, result):
    answer = Msrp.SdpMedia.parse(viewer.initialize_finish(result).to_string())
    # The server's side waits for the viewer, which connects.
    server.start_async(answer, None, on_server_started)
    viewer.start_async(None, None, None)
    # Reads wait until the tunnel runs.
    viewer.get_stream().get_input_stream().read_bytes_async(65536, GLib.PRIORITY_DEFAULT, None, on_read)


def on_offer(server, result):
    global viewer
    offer = Msrp.SdpMedia.parse(server.initialize_finish(result).to_string())
    # The answerer takes the role the offer leaves it: the viewer's.
    viewer = Msrp.StreamTunnel.new('application/x-rfb')
    watch(viewer, 'viewer')
    viewer.initialize_async(offer, None, on_answer)


server.initialize_async(None, None, on_offer)
GLib.timeout_add_seconds(30, loop.quit)
loop.run()
sys.exit(0 if len(ended) == 2 and bytes(received) == GREETING else 1)
