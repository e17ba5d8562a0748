// test-sdp.js: MsrpSdpMedia and MsrpFileSelector from JavaScript (gjs)
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Run with `gjs -m test-sdp.js` against the built typelib: set
// GI_TYPELIB_PATH and LD_LIBRARY_PATH to the build's msrp-glib directory
// (meson test does). Prints TAP.

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Msrp from 'gi://Msrp?version=1.0';

import {assert, assertEqual, assertThrows, run, test} from './harness.js';

// RFC 4975 section 11.1, Bob's answer, as a media section.
const ANSWER =
    'm=message 8888 TCP/MSRP *\r\n' +
    'c=IN IP4 bob.example.com\r\n' +
    'a=accept-types:text/plain\r\n' +
    'a=path:msrp://bob.example.com:8888/9di4eae923wzd;tcp\r\n';

test('sdp: parse and write back', () => {
    const media = Msrp.SdpMedia.parse(ANSWER);
    assertEqual(media.port, 8888, 'port');
    assertEqual(media.protocol, 'TCP/MSRP', 'protocol');
    assertEqual(media.connection_address, 'bob.example.com', 'c=');
    assertEqual(media.accept_types, ['text/plain'], 'accept-types');
    assertEqual(media.get_path().map(uri => uri.to_string()),
        ['msrp://bob.example.com:8888/9di4eae923wzd;tcp'], 'path');
    assertEqual(media.direction, Msrp.SdpDirection.SENDRECV, 'direction');
    assertEqual(media.file_selector, null, 'file-selector');
    assertEqual(media.to_string(), ANSWER, 'round trip');
});

test('sdp: build a file offer', () => {
    const media = Msrp.SdpMedia.new('message');
    media.set_path(Msrp.path_parse('msrp://192.0.2.1:7394/2s93i93idj;tcp'));
    media.direction = Msrp.SdpDirection.SENDONLY;
    media.file_selector = Msrp.FileSelector.new('a.txt', 'text/plain', 5, 'sha-1:AB:CD');
    media.file_transfer_id = 'id1';
    media.max_size = 1024;
    assertEqual(media.to_string(),
        'm=message 2855 TCP/MSRP *\r\n' +
        'a=path:msrp://192.0.2.1:7394/2s93i93idj;tcp\r\n' +
        'a=max-size:1024\r\n' +
        'a=sendonly\r\n' +
        'a=file-selector:name:"a.txt" type:text/plain size:5 hash:sha-1:AB:CD\r\n' +
        'a=file-transfer-id:id1\r\n', 'to_string');
    const [found, start, stop] = media.get_file_range();
    assertEqual([found, start, stop], [false, 0, -1], 'no file-range');
    assertEqual(media.get_attribute('sendonly'), '', 'a flag');
});

test('sdp: malformed', () => {
    const e = assertThrows(() => Msrp.SdpMedia.parse('m=message x TCP/MSRP *\r\n'),
        Msrp.Error, Msrp.Error.MALFORMED_SDP, 'bad port');
    assert(e.message.startsWith('Line 1 '), e.message);
});

test('file selector: new_for_file_async', waiter => {
    const [file, stream] = Gio.File.new_tmp('test-sdp-XXXXXX.txt');
    stream.get_output_stream().write_all(new TextEncoder().encode('hello\n'), null);
    stream.close(null);
    Msrp.FileSelector.new_for_file_async(file, null, null,
        waiter.callback('selector', (_source, result) => Msrp.FileSelector.new_for_file_finish(result)));
    const [selector] = waiter.wait('selector');
    file.delete(null);
    assert(selector instanceof Msrp.FileSelector, `${selector}`);
    assertEqual(selector.size, 6, 'size');
    // sha1("hello\n")
    assertEqual(selector.hash, 'sha-1:F5:72:D3:96:FA:E9:20:66:28:71:4F:B2:CE:00:F7:2E:94:F2:25:8F', 'hash');
    assertEqual(selector.name, file.get_basename(), 'name');
    assert(GLib.utf8_validate(selector.content_type), 'content type');
});

run();
