// file-transfer.js: push a file with progress, both ends in one process
//
// The sender offers a file (RFC 5547), the receiver answers with where it
// goes, and both start; in an application the offer and the answer travel
// in SIP, here they go as SDP text. Exits 0 once the file arrived whole.
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Msrp from 'gi://Msrp?version=1.0';
import System from 'system';

const loop = new GLib.MainLoop(null, false);
const directory = GLib.dir_make_tmp('msrp-file-example-XXXXXX');
const source = Gio.File.new_for_path(GLib.build_filenamev([directory, 'photo.jpg']));
const copy = Gio.File.new_for_path(GLib.build_filenamev([directory, 'received.jpg']));
const data = new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 251);
source.replace_contents(data, null, false, Gio.FileCreateFlags.NONE, null);
const ended = [];

function watch(transfer, who) {
    transfer.connect('notify::bytes-transferred', t => {
        const percent = Math.floor(100 * t.bytes_transferred / Math.max(t.size, 1));
        print(`${who}: ${String(percent).padStart(3)} %`);
    });
    transfer.connect('ended', () => {
        ended.push(who);
        if (ended.length === 2)
            loop.quit();
    });
    transfer.connect('failed', (t, error) => {
        print(`failed: ${error.message}`);
        loop.quit();
    });
}

const sender = Msrp.FileTransfer.new_push(source, 'image/jpeg');
watch(sender, 'sent');
let receiver = null;

// Hashes the file (in a thread), then makes the offer.
sender.initialize_async(null, null, (s, result) => {
    const offer = Msrp.SdpMedia.parse(sender.initialize_finish(result).to_string());
    receiver = Msrp.FileTransfer.new_from_offer(offer, copy);
    watch(receiver, 'received');
    receiver.initialize_async(offer, null, (r, result2) => {
        const answer = Msrp.SdpMedia.parse(receiver.initialize_finish(result2).to_string());
        // The sender waits for the receiver, which connects.
        sender.start_async(answer, null, null);
        receiver.start_async(null, null, null);
    });
});
GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, 30, () => loop.quit());
loop.run();

let ok = ended.length === 2;
if (ok) {
    const [, got] = copy.load_contents(null);
    ok = got.length === data.length && got.every((b, i) => b === data[i]);
}
for (const file of [source, copy]) {
    if (file.query_exists(null))
        file.delete(null);
}
Gio.File.new_for_path(directory).delete(null);
System.exit(ok ? 0 : 1);
