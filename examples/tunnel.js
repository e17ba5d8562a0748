// tunnel.js: bytes through an MsrpStreamTunnel, both ends in one process
//
// The side with the screen (a VNC server, here a greeting) offers a tunnel
// for "application/x-rfb", the viewer answers, and both start; in an
// application the offer and the answer travel in SIP, here they go as SDP
// text. The server writes and closes its output, the viewer reads up to
// end-of-file and ends the tunnel. Exits 0 once the viewer read it all and
// both tunnels ended.
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import GLib from 'gi://GLib';
import Msrp from 'gi://Msrp?version=1.0';
import System from 'system';

const GREETING = 'RFB 003.008\n';
const loop = new GLib.MainLoop(null, false);
const ended = [];
let received = '';

function watch(tunnel, who) {
    tunnel.connect('ended', () => {
        ended.push(who);
        if (ended.length === 2)
            loop.quit();
    });
    tunnel.connect('failed', (t, error) => {
        print(`failed: ${error.message}`);
        loop.quit();
    });
}

const server = Msrp.StreamTunnel.new('application/x-rfb');
// This side has the screen: a=rfbsetup:passive.
server.role = Msrp.TunnelRole.PASSIVE;
watch(server, 'server');
let viewer = null;

function onServerStarted(s, result) {
    server.start_finish(result);
    const output = server.get_stream().get_output_stream();
    // A GLib.Bytes stays alive until the write is done; a plain array
    // would not (and the greeting fits in one write).
    const bytes = new GLib.Bytes(new TextEncoder().encode(GREETING));
    output.write_bytes_async(bytes, GLib.PRIORITY_DEFAULT, null, (o, res) => {
        output.write_bytes_finish(res);
        // The viewer reads this as end-of-file.
        output.close_async(GLib.PRIORITY_DEFAULT, null, null);
    });
}

function readToEnd(input) {
    input.read_bytes_async(65536, GLib.PRIORITY_DEFAULT, null, (i, result) => {
        const bytes = input.read_bytes_finish(result);
        if (bytes.get_size() > 0) {
            received += new TextDecoder().decode(bytes.toArray());
            readToEnd(input);
            return;
        }
        print(`viewer read: ${received.trimEnd()}`);
        viewer.end_async(null, null);
    });
}

server.initialize_async(null, null, (s, result) => {
    const offer = Msrp.SdpMedia.parse(server.initialize_finish(result).to_string());
    // The answerer takes the role the offer leaves it: the viewer's.
    viewer = Msrp.StreamTunnel.new('application/x-rfb');
    watch(viewer, 'viewer');
    viewer.initialize_async(offer, null, (v, result2) => {
        const answer = Msrp.SdpMedia.parse(viewer.initialize_finish(result2).to_string());
        // The server's side waits for the viewer, which connects.
        server.start_async(answer, null, onServerStarted);
        viewer.start_async(null, null, null);
        // Reads wait until the tunnel runs.
        readToEnd(viewer.get_stream().get_input_stream());
    });
});

GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, 30, () => {
    loop.quit();
    return GLib.SOURCE_REMOVE;
});
loop.run();
System.exit(ended.length === 2 && received === GREETING ? 0 : 1);
