#!/usr/bin/python3
# receiver.py: the passive end of an MSRP session. It listens on 127.0.0.1,
# prints its path, waits for a peer, prints each message that arrives and
# answers it; after N messages it ends the session and exits.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Usage: receiver.py [N]        (N: how many messages to wait for, default 1)
#
# The first line it prints is its path, the way the SDP attribute a=path
# would carry it; give it to a sender (sender.py, sender.c, ...).

import sys

import gi
gi.require_version('Msrp', '1.0')
from gi.repository import GLib, Msrp

expected = int(sys.argv[1]) if len(sys.argv) > 1 else 1
loop = GLib.MainLoop()
state = {'answered': 0, 'status': 0}


def fail(error):
    print('receiver:', error.message, file=sys.stderr)
    state['status'] = 1
    loop.quit()


def on_prepared(acceptor, result):
    try:
        path = acceptor.prepare_finish(result)
    except GLib.Error as e:
        return fail(e)
    # Our full path. In real life it goes into our SDP (a=path); here the
    # user copies it to the sender. Flushed: a script may be reading it.
    print('a=path:' + Msrp.path_to_string(path), flush=True)
    # Wait for a peer. None: take whoever binds our path first (with SDP we
    # would pass the peer's a=path, and nobody else would get in).
    acceptor.complete_async(None, None, on_connected)


def on_connected(acceptor, result):
    try:
        transport = acceptor.complete_finish(result)
    except GLib.Error as e:
        return fail(e)
    print('peer', Msrp.path_to_string(transport.get_full_remote_path()), flush=True)
    # The session does the protocol: it answers, reassembles and reports.
    session = Msrp.Session.new(transport, None)     # None: accept any type
    session.connect('message-received', on_message)
    session.connect('closed', on_closed)
    state['session'] = session     # the session lives as long as we hold it


def on_message(session, first_chunk, data):
    # The session has checked, acknowledged (200) and put the message
    # together; it has also sent the REPORT when the sender asked for one.
    content_type = first_chunk.get_content_type()
    body = data.get_data()
    if content_type == 'text/plain':
        print(f'received {content_type} ({len(body)} bytes): {body.decode()}', flush=True)
    else:
        print(f'received {content_type} ({len(body)} bytes)', flush=True)
    # Answer with a message of our own: either side may send at any time.
    answer = f'got {len(body)} bytes of {content_type}'.encode()
    session.send_message_async(GLib.Bytes.new(answer), 'text/plain', None, on_answer_sent)


def on_answer_sent(session, result):
    try:
        session.send_message_finish(result)
    except GLib.Error as e:
        return fail(e)
    # The last answer went through: end the session. Shutting down sends
    # whatever is still queued, closes the connection, then emits closed.
    state['answered'] += 1
    if state['answered'] == expected:
        session.shutdown_async(None, None)


def on_closed(session, error):
    # None: a clean end, ours (shutdown) or the peer's.
    if error is not None:
        return fail(error)
    loop.quit()


# The passive side listens (Msrp.get_acceptor(relay) would go through an
# RFC 4976 relay instead). Port 0: any free port, which the path will name.
# None as session-id: a random one.
acceptor = Msrp.get_acceptor(None)
acceptor.prepare_async(Msrp.Uri.new('127.0.0.1', 0, None, False), None, on_prepared)
loop.run()
sys.exit(state['status'])
