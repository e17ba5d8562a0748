#!/usr/bin/python3
# connect.py: an acceptor and a connector in one process, over loopback TCP;
# the connector sends one message and the acceptor prints it.
# SPDX-License-Identifier: LGPL-2.1-or-later

import gi
gi.require_version('Msrp', '1.0')
from gi.repository import GLib, Msrp

loop = GLib.MainLoop()
acceptor = Msrp.AcceptorDirect.new()      # the passive side: listens
connector = Msrp.ConnectorDirect.new()    # the active side: connects
paths = {}

def on_prepared(side, result):
    paths[side] = side.prepare_finish(result)   # the full local path, for SDP a=path
    if len(paths) == 2:
        # Each side completes with the other's path (from the peer's SDP).
        acceptor.complete_async(paths[connector], None, on_acceptor_ready)
        connector.complete_async(paths[acceptor], None, on_connector_ready)

def on_acceptor_ready(acceptor, result):
    transport = acceptor.complete_finish(result)
    transport.read_chunk_async(0, None, on_received)

def on_connector_ready(connector, result):
    transport = connector.complete_finish(result)
    chunk = transport.make_chunk(None, GLib.Bytes.new(b'Hello, Bob'), 'text/plain')
    transport.write_chunk_async(chunk, None, lambda t, r: t.write_chunk_finish(r))

def on_received(transport, result):
    chunk = transport.read_chunk_finish(result)
    print(chunk.get_method(), chunk.get_data().get_data().decode())
    loop.quit()

acceptor.prepare_async(Msrp.Uri.new('127.0.0.1', 0, None, False), None, on_prepared)
connector.prepare_async(None, None, on_prepared)
loop.run()
