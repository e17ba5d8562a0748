// connect.js: an acceptor and a connector in one process, over loopback TCP;
// the connector sends one message through a session and the acceptor prints it. Run: gjs -m connect.js
// SPDX-License-Identifier: LGPL-2.1-or-later

import GLib from 'gi://GLib';
import Msrp from 'gi://Msrp?version=1.0';

const loop = new GLib.MainLoop(null, false);
const acceptor = Msrp.AcceptorDirect.new();    // the passive side: listens
const connector = Msrp.ConnectorDirect.new();  // the active side: connects
const paths = new Map();
const sessions = [];

function onPrepared(side, result) {
    paths.set(side, side.prepare_finish(result));  // the full local path, for SDP a=path
    if (paths.size < 2)
        return;
    // Each side completes with the other's path (from the peer's SDP).
    acceptor.complete_async(paths.get(connector), null, (acc, res) => {
        // A session reads, answers and reassembles; it emits whole messages.
        const session = Msrp.Session.new(acc.complete_finish(res), ['text/plain']);
        session.connect('message-received', (s, firstChunk, data) => {
            print('received', firstChunk.get_content_type(), new TextDecoder().decode(data.toArray()));
        });
        sessions.push(session);
    });
    connector.complete_async(paths.get(acceptor), null, (con, res) => {
        const session = Msrp.Session.new(con.complete_finish(res), null);
        session.set_success_report(true);  // complete only once the peer confirms
        const body = new GLib.Bytes(new TextEncoder().encode('Hello, Bob'));
        session.send_message_async(body, 'text/plain', null, (s, r) => {
            print('delivered', s.send_message_finish(r));
            loop.quit();
        });
        sessions.push(session);
    });
}

acceptor.prepare_async(Msrp.Uri.new('127.0.0.1', 0, null, false), null, onPrepared);
connector.prepare_async(null, null, onPrepared);
loop.run();
