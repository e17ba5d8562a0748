// test-file-transfer.js: MsrpFileTransfer from gjs through the typelib:
// push and pull between two transfers in one process, the SDP as text,
// progress notifications, errors
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Run with `gjs -m test-file-transfer.js` against the built typelib: set
// GI_TYPELIB_PATH and LD_LIBRARY_PATH to the build's msrp-glib directory
// (meson test does). Prints TAP.

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Msrp from 'gi://Msrp?version=1.0';

import {assert, assertEqual, assertThrows, describe, payload, run, test} from './harness.js';

const SIZE = 600 * 1024 + 5;
const initializeFinish = (stream, result) => stream.initialize_finish(result);
const startFinish = (stream, result) => stream.start_finish(result);

// A directory with a source file, removed after the test.
function withFiles(fn) {
    return waiter => {
        const dir = GLib.dir_make_tmp('msrp-ft-gjs-XXXXXX');
        const source = Gio.File.new_for_path(GLib.build_filenamev([dir, 'notes.txt']));
        const destination = Gio.File.new_for_path(GLib.build_filenamev([dir, 'received.txt']));
        const data = payload(SIZE);
        source.replace_contents(data, null, false, Gio.FileCreateFlags.NONE, null);
        try {
            fn(waiter, {source, destination, data});
        } finally {
            const children = Gio.File.new_for_path(dir).enumerate_children('standard::name', 0, null);
            let info;
            while ((info = children.next_file(null)) !== null)
                children.get_child(info).delete(null);
            Gio.File.new_for_path(dir).delete(null);
        }
    };
}

// Local URI, plain TCP, and the signals as waiter keys; returns the
// bytes-transferred values notified.
function prepare(waiter, transfer, name) {
    transfer.set_local_uri(Msrp.Uri.new('127.0.0.1', 0, null, false));
    transfer.set_use_tls(false);
    transfer.connect('ended', () => waiter.set(`${name}-ended`, true));
    transfer.connect('failed', (t, error) => waiter.set(`${name}-ended`, error));
    const progress = [];
    transfer.connect('notify::bytes-transferred', t => progress.push(t.bytes_transferred));
    return progress;
}

function initialize(waiter, transfer, offer) {
    transfer.initialize_async(offer, null, waiter.callback('init', initializeFinish));
    const [media] = waiter.wait('init');
    assert(media instanceof Msrp.SdpMedia, `initialize: ${describe(media)}`);
    // As the peer gets it: SDP text.
    return Msrp.SdpMedia.parse(media.to_string());
}

function startBoth(waiter, offerer, answer, answerer) {
    offerer.start_async(answer, null, waiter.callback('a', startFinish));
    answerer.start_async(null, null, waiter.callback('b', startFinish));
    const [a, b] = waiter.wait('a', 'b');
    assertEqual(a, true, `offerer start: ${describe(a)}`);
    assertEqual(b, true, `answerer start: ${describe(b)}`);
}

function assertReceived(destination, data) {
    const [ok, contents] = destination.load_contents(null);
    assert(ok, 'loaded');
    assertEqual(contents.length, data.length, 'size');
    assert(contents.every((b, i) => b === data[i]), 'the same bytes');
}

test('file transfer: push with progress', withFiles((waiter, {source, destination, data}) => {
    const sender = Msrp.FileTransfer.new_push(source, 'text/plain');
    const sent = prepare(waiter, sender, 'sender');
    const offer = initialize(waiter, sender, null);
    assertEqual(offer.get_direction(), Msrp.SdpDirection.SENDONLY, 'sendonly');
    const selector = offer.get_file_selector();
    assertEqual(selector.get_name(), 'notes.txt', 'name');
    assertEqual(selector.get_content_type(), 'text/plain', 'type');
    assertEqual(selector.get_size(), SIZE, 'size');
    assert(selector.get_hash().startsWith('sha-1:'), selector.get_hash());
    assertEqual(sender.hash_progress, 1.0, 'hash-progress');
    assertEqual(sender.size, SIZE, 'size property');
    assertEqual(offer.get_file_transfer_id(), sender.transfer_id, 'transfer-id');

    const receiver = Msrp.FileTransfer.new_from_offer(offer, destination);
    const received = prepare(waiter, receiver, 'receiver');
    assertEqual(receiver.is_sender, false, 'is-sender');
    const answer = initialize(waiter, receiver, offer);
    assertEqual(answer.get_direction(), Msrp.SdpDirection.RECVONLY, 'recvonly');
    startBoth(waiter, sender, answer, receiver);
    const [s, r] = waiter.wait('sender-ended', 'receiver-ended');
    assertEqual(s, true, `sender: ${describe(s)}`);
    assertEqual(r, true, `receiver: ${describe(r)}`);
    assertReceived(destination, data);
    assertEqual(sent[sent.length - 1], SIZE, 'sender progress');
    assertEqual(received[received.length - 1], SIZE, 'receiver progress');
    assert(received.every((b, i) => i === 0 || b >= received[i - 1]), 'progress grows');
    assertEqual(receiver.get_bytes_transferred(), SIZE, 'bytes-transferred');
}));

test('file transfer: pull', withFiles((waiter, {source, destination, data}) => {
    const wanted = Msrp.FileSelector.new('notes.txt', null, SIZE, null);
    const receiver = Msrp.FileTransfer.new_pull(wanted, destination);
    prepare(waiter, receiver, 'receiver');
    const offer = initialize(waiter, receiver, null);
    assertEqual(offer.get_direction(), Msrp.SdpDirection.RECVONLY, 'recvonly');
    const sender = Msrp.FileTransfer.new_from_offer(offer, source);
    assert(sender.get_is_sender(), 'is-sender');
    prepare(waiter, sender, 'sender');
    const answer = initialize(waiter, sender, offer);
    startBoth(waiter, receiver, answer, sender);
    const [s, r] = waiter.wait('sender-ended', 'receiver-ended');
    assertEqual([s, r], [true, true], `${describe(s)} ${describe(r)}`);
    assertReceived(destination, data);
}));

test('file transfer: range and errors', withFiles((waiter, {source}) => {
    const transfer = Msrp.FileTransfer.new_push(source, null);
    assertEqual(transfer.get_range(), [false, 1, -1], 'no range');
    transfer.set_range(1001, -1);
    assertEqual(transfer.get_range(), [true, 1001, -1], 'range');

    const missing = Msrp.FileTransfer.new_push(Gio.File.new_for_path('/nonexistent/msrp-file'), null);
    prepare(waiter, missing, 'missing');
    missing.initialize_async(null, null, waiter.callback('init', initializeFinish));
    const [error, failed] = waiter.wait('init', 'missing-ended');
    assert(error instanceof GLib.Error && error.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.NOT_FOUND),
        describe(error));
    assert(failed instanceof GLib.Error, describe(failed));

    assertThrows(() => Msrp.FileTransfer.new_from_offer(Msrp.SdpMedia.new('message'), source),
        Msrp.Error, Msrp.Error.MEDIA_REFUSED, 'not a file transfer');
}));

run();
