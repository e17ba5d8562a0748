// connect.js: an acceptor and a connector in one process, over loopback TCP;
// the connector sends one message and the acceptor prints it. Run: gjs -m connect.js
// SPDX-License-Identifier: LGPL-2.1-or-later

import GLib from 'gi://GLib';
import Msrp from 'gi://Msrp?version=1.0';

const loop = new GLib.MainLoop(null, false);
const acceptor = Msrp.AcceptorDirect.new();    // the passive side: listens
const connector = Msrp.ConnectorDirect.new();  // the active side: connects
const paths = new Map();

function onPrepared(side, result) {
    paths.set(side, side.prepare_finish(result));  // the full local path, for SDP a=path
    if (paths.size < 2)
        return;
    // Each side completes with the other's path (from the peer's SDP).
    acceptor.complete_async(paths.get(connector), null, (acc, res) => {
        const transport = acc.complete_finish(res);
        transport.read_chunk_async(0, null, (t, r) => {
            const chunk = t.read_chunk_finish(r);
            print(chunk.get_method(), new TextDecoder().decode(chunk.get_data().toArray()));
            loop.quit();
        });
    });
    connector.complete_async(paths.get(acceptor), null, (con, res) => {
        const transport = con.complete_finish(res);
        const body = new GLib.Bytes(new TextEncoder().encode('Hello, Bob'));
        const chunk = transport.make_chunk(null, body, 'text/plain');
        transport.write_chunk_async(chunk, null, (t, r) => t.write_chunk_finish(r));
    });
}

acceptor.prepare_async(Msrp.Uri.new('127.0.0.1', 0, null, false), null, onPrepared);
connector.prepare_async(null, null, onPrepared);
loop.run();
