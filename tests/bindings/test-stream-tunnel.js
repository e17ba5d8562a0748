// test-stream-tunnel.js: MsrpStreamTunnel from gjs through the typelib:
// two tunnels in one process, the SDP as text, bytes one way to EOF and
// back the other way, over TCP and TLS
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Run with `gjs -m test-stream-tunnel.js` against the built typelib: set
// GI_TYPELIB_PATH and LD_LIBRARY_PATH to the build's msrp-glib directory
// (meson test does). Prints TAP.

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Msrp from 'gi://Msrp?version=1.0';

import {assert, assertBytes, assertEqual, describe, payload, run, test} from './harness.js';

const initializeFinish = (stream, result) => stream.initialize_finish(result);
const startFinish = (stream, result) => stream.start_finish(result);
const endFinish = (stream, result) => stream.end_finish(result);
const writeBytesFinish = (stream, result) => stream.write_bytes_finish(result);
const closeFinish = (stream, result) => stream.close_finish(result);
const readBytesFinish = (stream, result) => stream.read_bytes_finish(result);

function make(waiter, name, role, tls) {
    const tunnel = Msrp.StreamTunnel.new('application/x-rfb');
    tunnel.role = role;
    tunnel.set_local_uri(Msrp.Uri.new('127.0.0.1', 0, null, false));
    tunnel.set_use_tls(tls);
    tunnel.connect('ended', () => waiter.set(`${name}-ended`, true));
    tunnel.connect('failed', (t, error) => waiter.set(`${name}-ended`, error));
    return tunnel;
}

function initialize(waiter, tunnel, offer) {
    tunnel.initialize_async(offer, null, waiter.callback('init', initializeFinish));
    const [media] = waiter.wait('init');
    assert(media instanceof Msrp.SdpMedia, `initialize: ${describe(media)}`);
    // As the peer gets it: SDP text.
    return Msrp.SdpMedia.parse(media.to_string());
}

// Writes data and closes the output: the peer reads it up to EOF. With
// write_bytes_async: gjs does not keep a plain array alive for an
// asynchronous write_all_async, and a tunnel write may be short.
function send(waiter, stream, data, key) {
    const out = stream.get_output_stream();
    let at = 0;
    while (at < data.length) {
        out.write_bytes_async(new GLib.Bytes(data.subarray(at)), GLib.PRIORITY_DEFAULT, null,
            waiter.callback(`${key}-written`, writeBytesFinish));
        const [written] = waiter.wait(`${key}-written`);
        assert(typeof written === 'number' && written > 0, `write: ${describe(written)}`);
        at += written;
    }
    out.close_async(GLib.PRIORITY_DEFAULT, null, waiter.callback(`${key}-closed`, closeFinish));
    assertEqual(waiter.wait(`${key}-closed`), [true], 'output closed');
}

function readToEof(waiter, stream, key) {
    const input = stream.get_input_stream();
    const pieces = [];
    let length = 0;
    for (;;) {
        input.read_bytes_async(65536, GLib.PRIORITY_DEFAULT, null, waiter.callback(key, readBytesFinish));
        const [bytes] = waiter.wait(key);
        if (bytes instanceof GLib.Error)
            throw bytes;
        if (bytes.get_size() === 0)
            break;
        pieces.push(bytes.toArray());
        length += bytes.get_size();
    }
    const all = new Uint8Array(length);
    let at = 0;
    for (const piece of pieces) {
        all.set(piece, at);
        at += piece.length;
    }
    return new GLib.Bytes(all);
}

for (const tls of [false, true]) {
    test(`stream tunnel: both ways to EOF over ${tls ? 'TLS' : 'TCP'}`, waiter => {
        const server = make(waiter, 'server', Msrp.TunnelRole.PASSIVE, tls);
        const viewer = make(waiter, 'viewer', Msrp.TunnelRole.NONE, tls);
        assertEqual(server.get_content_type(), 'application/x-rfb', 'content type');
        assert(viewer.get_stream() instanceof Gio.IOStream, 'the stream is there before start');

        const offer = initialize(waiter, server, null);
        assertEqual(offer.get_media(), 'application', 'm=application');
        assertEqual(offer.get_accept_types(), ['application/x-rfb'], 'accept-types');
        assertEqual(offer.get_attribute('rfbsetup'), 'passive', 'offer rfbsetup');
        const answer = initialize(waiter, viewer, offer);
        assertEqual(answer.get_attribute('rfbsetup'), 'active', 'answer rfbsetup');
        assertEqual(viewer.role, Msrp.TunnelRole.ACTIVE, 'the viewer took the other role');

        server.start_async(answer, null, waiter.callback('a', startFinish));
        viewer.start_async(null, null, waiter.callback('b', startFinish));
        const [a, b] = waiter.wait('a', 'b');
        assertEqual([a, b], [true, true], `start: ${describe(a)} ${describe(b)}`);
        const serverStream = server.get_stream();
        const viewerStream = viewer.get_stream();
        assert(serverStream instanceof Gio.IOStream, describe(serverStream));

        // The server's screen one way, the viewer's input the other.
        const screen = payload(300 * 1024 + 7);
        send(waiter, serverStream, screen, 'screen');
        assertBytes(readToEof(waiter, viewerStream, 'read-screen'), screen, 'screen');
        const keys = new TextEncoder().encode('key events');
        send(waiter, viewerStream, keys, 'keys');
        assertBytes(readToEof(waiter, serverStream, 'read-keys'), keys, 'keys');

        viewer.end_async(null, waiter.callback('end', endFinish));
        const [ended, v, s] = waiter.wait('end', 'viewer-ended', 'server-ended');
        assertEqual([ended, v, s], [true, true, true], `end: ${describe(v)} ${describe(s)}`);
        assertEqual(server.state, Msrp.StreamState.ENDED, 'server state');
    });
}

test('stream tunnel: a content type the offer does not accept', waiter => {
    const offerer = make(waiter, 'offerer', Msrp.TunnelRole.PASSIVE, false);
    const offer = initialize(waiter, offerer, null);
    const other = Msrp.StreamTunnel.new('application/x-other');
    other.set_local_uri(Msrp.Uri.new('127.0.0.1', 0, null, false));
    other.initialize_async(offer, null, waiter.callback('refused', initializeFinish));
    const [error] = waiter.wait('refused');
    assert(error instanceof GLib.Error && error.matches(Msrp.Error, Msrp.Error.MEDIA_REFUSED),
        describe(error));
    offerer.end_async(null, waiter.callback('end', endFinish));
    const [ended, offererEnded] = waiter.wait('end', 'offerer-ended');
    assertEqual([ended, offererEnded], [true, true], `end: ${describe(ended)}`);
});

run();
