#!/usr/bin/python3
# connect.py: an acceptor and a connector in one process, over loopback TCP;
# the connector sends one message through a session and the acceptor prints it.
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

sessions = []

def on_acceptor_ready(acceptor, result):
    # A session reads, answers and reassembles; it emits whole messages.
    session = Msrp.Session.new(acceptor.complete_finish(result), ['text/plain'])
    session.connect('message-received', on_message)
    sessions.append(session)

def on_connector_ready(connector, result):
    session = Msrp.Session.new(connector.complete_finish(result), None)
    session.set_success_report(True)    # complete only once the peer confirms
    session.send_message_async(GLib.Bytes.new(b'Hello, Bob'), 'text/plain', None, on_sent)
    sessions.append(session)

def on_message(session, first_chunk, data):
    print('received', first_chunk.get_content_type(), data.get_data().decode())

def on_sent(session, result):
    print('delivered', session.send_message_finish(result))
    loop.quit()

acceptor.prepare_async(Msrp.Uri.new('127.0.0.1', 0, None, False), None, on_prepared)
connector.prepare_async(None, None, on_prepared)
loop.run()
