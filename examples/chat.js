// chat.js: Alice and Bob chat, both in this process. Alice's SDP offer and
// Bob's answer go between them as text, as a SIP application carries them in
// an INVITE and its 200 OK; then the chat runs over TLS, checked by the
// fingerprints in that SDP, with delivery and display marks. Run: gjs -m chat.js
// SPDX-License-Identifier: LGPL-2.1-or-later

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Msrp from 'gi://Msrp?version=1.0';
import System from 'system';

// The stream's _async/_finish pairs as promises, for await.
for (const step of ['initialize', 'start', 'end'])
    Gio._promisify(Msrp.Stream.prototype, `${step}_async`, `${step}_finish`);

const loop = new GLib.MainLoop(null, false);
let marks = 0;  // delivered and displayed marks seen
let allMarked;  // resolves the promise below once there are 4
const marked = new Promise(resolve => (allMarked = resolve));

function fail(what, error) {
    printerr(`${what}: ${error.message}`);
    System.exit(1);
}

function makeChat(name, me, peer) {
    const chat = Msrp.Chat.new(me, peer);
    // Both ends are on this machine; a real application leaves this out.
    chat.set_local_uri(Msrp.Uri.new('127.0.0.1', 0, null, false));
    chat.connect('message-received', (c, message) => {
        print(`${name} got from ${message.sender}: ${message.text}`);
        // The sender asked to know when its message is shown: it is now.
        c.send_display_notification(message.message_id);
        if (c === bob)
            bob.send_text('Hi Alice! All fine here.');
    });
    chat.connect('message-delivered', (c, id) => {
        print(`${name}: \u2713 delivered (${id})`);
        countMark();
    });
    chat.connect('message-displayed', (c, id) => {
        print(`${name}: \u2713\u2713 displayed (${id})`);
        countMark();
    });
    chat.connect('message-not-delivered', (c, id, code, reason) => {
        fail(name, new Error(`not delivered (${id}): ${code} ${reason}`));
    });
    chat.connect('failed', (c, error) => fail(name, error));
    return chat;
}

function countMark() {
    if (++marks === 4)
        allMarked();
}

// The other side's media arrives as SDP text.
function receiveSdp(who, media) {
    const sdp = media.to_string();
    print(`${who}'s SDP:\n${sdp}`);
    return Msrp.SdpMedia.parse(sdp);
}

const alice = makeChat('Alice', 'Alice <sip:alice@example.com>', 'Bob <sip:bob@example.com>');
const bob = makeChat('Bob', 'Bob <sip:bob@example.com>', 'Alice <sip:alice@example.com>');
const bobEnded = new Promise(resolve => bob.connect('ended', resolve));

async function chat() {
    // Alice makes the offer: null, she has none from Bob.
    const offer = receiveSdp('Alice', await alice.initialize_async(null, null));
    // Sending before the chat runs is fine: the message waits for it.
    alice.send_text('Hello Bob, how are you?');
    const answer = receiveSdp('Bob', await bob.initialize_async(offer, null));
    // Alice starts with Bob's answer, Bob with the offer he has: he connects.
    await Promise.all([alice.start_async(answer, null), bob.start_async(null, null)]);

    // Two messages, each delivered and displayed: then Alice hangs up.
    await marked;
    await alice.end_async(null);
    print('Alice: chat ended');
    await bobEnded;
    print('Bob: Alice ended the chat');
}

chat().then(() => loop.quit(), e => fail('chat', e));
loop.run();
