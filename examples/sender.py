#!/usr/bin/python3
# sender.py: the active end of an MSRP session. It connects to a receiver's
# path, sends a text message and, if given one, a file, each with a request
# for a success REPORT; it prints what happens and exits once the receiver
# has ended the session.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Usage: sender.py PATH [FILE]
#
# PATH is what the receiver printed after "a=path:", for instance
#   ./sender.py 'msrp://127.0.0.1:40321/2b8d8a3f2f5e4b7c;tcp'

import sys

import gi
gi.require_version('Msrp', '1.0')
from gi.repository import Gio, GLib, Msrp

if not 2 <= len(sys.argv) <= 3:
    sys.exit(f'usage: {sys.argv[0]} PATH [FILE]')
remote_path = Msrp.path_parse(sys.argv[1])    # the receiver's path, as its SDP would give it
file_name = sys.argv[2] if len(sys.argv) > 2 else None
loop = GLib.MainLoop()
state = {'all_sent': False, 'status': 0}


def fail(message):
    print('sender:', message, file=sys.stderr)
    state['status'] = 1
    loop.quit()


def on_prepared(connector, result):
    try:
        connector.prepare_finish(result)
    except GLib.Error as e:
        return fail(e.message)
    # Our local path would go into our SDP; the receiver here takes anyone.
    # Connect to the receiver and bind the connection to its session.
    connector.complete_async(remote_path, None, on_connected)


def on_connected(connector, result):
    try:
        transport = connector.complete_finish(result)
    except GLib.Error as e:
        return fail(e.message)
    print('connected')
    session = Msrp.Session.new(transport, None)
    # Ask for a success REPORT on everything we send: sending then completes
    # only when the receiver has confirmed the whole message.
    session.set_success_report(True)
    session.connect('message-received', on_answer)
    session.connect('report-received', on_report)
    session.connect('closed', on_closed)
    state['session'] = session     # the session lives as long as we hold it
    session.send_message_async(GLib.Bytes.new(b'Hello from Python'), 'text/plain', None,
                               on_message_sent)


def on_message_sent(session, result):
    try:
        # It completes once every chunk got its 200 and the REPORT came.
        message_id = session.send_message_finish(result)
    except GLib.Error as e:
        return fail(e.message)
    print('sent message', message_id)
    if file_name is None:
        state['all_sent'] = True
        return
    # A file is streamed chunk by chunk; None: guess its type.
    try:
        file = Msrp.OutgoingFile.new_for_file(Gio.File.new_for_commandline_arg(file_name), None)
    except GLib.Error as e:
        return fail(e.message)
    session.send_file_async(file, None, on_file_sent, file)


def on_file_sent(session, result, file):
    try:
        session.send_file_finish(result)
    except GLib.Error as e:
        return fail(e.message)
    print(f'sent file {file_name} ({file.get_size()} bytes) as {file.get_message_id()}')
    # Now wait for the receiver's answer and for it to end the session.
    state['all_sent'] = True


def on_answer(session, first_chunk, data):
    print('answer:', data.get_data().decode())


def on_report(session, report):
    # The receiver confirms that the whole message arrived: Status 000 200.
    has_status, code, comment = report.get_status()
    print(f'REPORT for {report.get_message_id()}: {code} {comment or ""}')


def on_closed(session, error):
    if error is not None:
        return fail(error.message)
    if not state['all_sent']:
        return fail('the receiver ended the session too early')
    print('the receiver ended the session')
    loop.quit()


# The active side connects (Msrp.get_connector(relay) would go through an
# RFC 4976 relay instead). None: any local URI will do.
connector = Msrp.get_connector(None)
connector.prepare_async(None, None, on_prepared)
loop.run()
sys.exit(state['status'])
