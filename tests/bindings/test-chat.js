// test-chat.js: two MsrpChat in one process on loopback, driven from gjs
// through the typelib: offer and answer as SDP text, messages both ways,
// delivery and display notifications, is-composing, the end
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Run with `gjs -m test-chat.js` against the built typelib: set
// GI_TYPELIB_PATH and LD_LIBRARY_PATH to the build's msrp-glib directory
// (meson test does). Prints TAP.

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Msrp from 'gi://Msrp?version=1.0';

import {assert, assertEqual, assertThrows, describe, run, test, toBytes} from './harness.js';

const ALICE = '"Alice" <sip:alice@example.com>';
const BOB = '<sip:bob@example.com>';

const initializeFinish = (chat, result) => chat.initialize_finish(result);
const startFinish = (chat, result) => chat.start_finish(result);
const endFinish = (chat, result) => chat.end_finish(result);

// A chat and what its signals brought, in order; each emission is also set
// on the waiter as `<name>-<signal><count>`.
class ChatPeer {
    constructor(name, local, remote, waiter) {
        this.name = name;
        this.chat = Msrp.Chat.new(local, remote);
        this.chat.set_local_uri(Msrp.Uri.new('127.0.0.1', 0, null, false));
        this.received = [];      // Msrp.ChatMessage
        this.delivered = [];     // message ids
        this.notDelivered = [];  // [message id, code, reason]
        this.displayed = [];     // message ids
        this.composing = [];     // [Msrp.IsComposing, sender]
        this.failed = [];        // GLib.Error
        this.events = [];        // the names of the signals, in order
        const lists = {
            'message-received': this.received, 'message-delivered': this.delivered,
            'message-not-delivered': this.notDelivered, 'message-displayed': this.displayed,
            'composing-indication': this.composing, 'failed': this.failed,
        };
        for (const signal of ['initialized', 'started', 'will-end', 'ended', 'failed', 'message-received',
            'message-delivered', 'message-not-delivered', 'message-displayed', 'composing-indication']) {
            this.chat.connect(signal, (chat, ...values) => {
                if (chat !== this.chat)
                    this.events.push('wrong-emitter');
                lists[signal]?.push(values.length === 1 ? values[0] : values);
                this.events.push(signal);
                const count = this.events.filter(e => e === signal).length;
                waiter.set(`${name}-${signal}${count}`, true);
            });
        }
    }
}

function initialize(waiter, peer, offer) {
    peer.chat.initialize_async(offer, null, waiter.callback('init', initializeFinish));
    const [media] = waiter.wait('init');
    assert(media instanceof Msrp.SdpMedia, `initialize: ${describe(media)}`);
    assertEqual(peer.chat.state, Msrp.StreamState.INITIALIZED, 'state');
    return media;
}

// Alice offers, Bob answers, and both start; each gets the other's media as
// SDP text, as a SIP application would.
function startPair(waiter, alice, bob) {
    const offer = initialize(waiter, alice, null).to_string();
    const answer = initialize(waiter, bob, Msrp.SdpMedia.parse(offer)).to_string();
    alice.chat.start_async(Msrp.SdpMedia.parse(answer), null, waiter.callback('alice-start', startFinish));
    bob.chat.start_async(null, null, waiter.callback('bob-start', startFinish));
    const [a, b] = waiter.wait('alice-start', 'bob-start');
    assertEqual(a, true, `alice start: ${describe(a)}`);
    assertEqual(b, true, `bob start: ${describe(b)}`);
    return [offer, answer];
}

// Every test gets two fresh chats; they end afterwards, whatever the test
// left (ending an ended chat finishes at once).
function chatTest(name, fn) {
    test(name, waiter => {
        const alice = new ChatPeer('alice', ALICE, BOB, waiter);
        const bob = new ChatPeer('bob', BOB, ALICE, waiter);
        try {
            fn(waiter, alice, bob);
        } finally {
            for (const peer of [alice, bob])
                peer.chat.end_async(null, waiter.callback(`${peer.name}-teardown`, endFinish));
            waiter.wait('alice-teardown', 'bob-teardown');
        }
        for (const peer of [alice, bob])
            assert(!peer.events.includes('wrong-emitter'), 'signals come from their chat');
    });
}

chatTest('chat: offer and answer, TLS by default', (waiter, alice, bob) => {
    assertEqual(alice.chat.use_tls, true, 'use-tls');
    const [offerText, answerText] = startPair(waiter, alice, bob);
    const offer = Msrp.SdpMedia.parse(offerText);
    const answer = Msrp.SdpMedia.parse(answerText);
    assertEqual(offer.protocol, 'TCP/TLS/MSRP', 'offer protocol');
    assertEqual(offer.setup, 'actpass', 'offer setup');
    assert(offer.fingerprint.startsWith('sha-256 '), offer.fingerprint);
    assert(offer.get_accept_types().includes('message/cpim'), 'offer accept-types');
    assertEqual(answer.setup, 'active', 'answer setup');
    assert(answer.fingerprint !== null, 'answer fingerprint');
    assert(alice.chat.get_is_offerer() && !bob.chat.get_is_offerer(), 'is-offerer');
    assertEqual(bob.chat.remote_media.to_string(), offerText, 'remote-media');
    for (const peer of [alice, bob]) {
        assertEqual(peer.chat.get_state(), Msrp.StreamState.STARTED, 'state');
        assert(peer.events.includes('started'), 'started');
        let stream = peer.chat.session.get_transport().get_stream();
        if (stream instanceof Gio.TcpWrapperConnection)
            stream = stream.get_base_io_stream();
        assert(stream instanceof Gio.TlsConnection, `TLS, not ${stream}`);
    }
    assert(alice.chat.cpim_enabled, 'cpim-enabled');
});

chatTest('chat: messages, delivery and display', (waiter, alice, bob) => {
    startPair(waiter, alice, bob);
    const id = alice.chat.send_text('H\u00e9llo, Bob');
    assertEqual(typeof id, 'string', 'message id');
    waiter.wait('bob-message-received1', 'alice-message-delivered1');
    assertEqual(alice.delivered, [id], 'delivered');

    const [message] = bob.received;
    assert(message instanceof Msrp.ChatMessage, 'an Msrp.ChatMessage');
    assertEqual(message.text, 'H\u00e9llo, Bob', 'text');
    assertEqual(message.get_text(), 'H\u00e9llo, Bob', 'get_text');
    assertEqual(message.sender, ALICE, 'sender');
    assertEqual(message.recipients, [BOB], 'recipients');
    assertEqual(message.get_recipients(), [BOB], 'get_recipients');
    assertEqual(message.message_id, id, 'message-id');
    assert(message.content_type.startsWith('text/plain'), message.content_type);
    assertEqual(new TextDecoder().decode(message.content.toArray()), 'H\u00e9llo, Bob', 'content');
    assert(message.timestamp instanceof GLib.DateTime, 'timestamp');
    assertEqual(message.private, false, 'private');
    assert(message.cpim instanceof Msrp.CpimMessage, 'cpim');
    assertEqual(message.cpim.get_from(), ALICE, 'CPIM From');

    assert(bob.chat.send_display_notification(id), 'display notification');
    waiter.wait('alice-message-displayed1');
    assertEqual(alice.displayed, [id], 'displayed');
    assertThrows(() => bob.chat.send_display_notification(id), Gio.IOErrorEnum, Gio.IOErrorEnum.NOT_FOUND,
        'a second display notification');

    const answerId = bob.chat.send_text('Hi Alice');
    waiter.wait('alice-message-received1', 'bob-message-delivered1');
    assertEqual(bob.delivered, [answerId], 'delivered back');
    assertEqual(alice.received[0].text, 'Hi Alice', 'text back');
    assertEqual(alice.received[0].sender, BOB, 'sender back');
    assertEqual(alice.delivered.length, 1, 'delivered once');
    assertEqual([...alice.notDelivered, ...bob.notDelivered, ...alice.failed, ...bob.failed], [], 'no failures');
});

chatTest('chat: timestamp, non-text content, not delivered', (waiter, alice, bob) => {
    startPair(waiter, alice, bob);
    const when = GLib.DateTime.new_utc(2024, 2, 29, 12, 30, 15);
    const image = new Uint8Array([0, 1, 2, 255, 254]);
    const id = alice.chat.send_message(new GLib.Bytes(image), 'image/png', null, when);
    waiter.wait('bob-message-received1', 'alice-message-delivered1');
    const [message] = bob.received;
    assertEqual(message.message_id, id, 'message-id');
    assertEqual(message.content_type, 'image/png', 'content-type');
    assertEqual([...message.content.toArray()], [...image], 'content');
    assertEqual(message.text, null, 'no text');
    assertEqual(message.timestamp.to_unix(), when.to_unix(), 'timestamp');

    // Bob takes text and images inside CPIM: not this.
    const refused = alice.chat.send_message(toBytes('?'), 'application/x-unknown', null, null);
    waiter.wait('alice-message-not-delivered1');
    const [[notId, code, reason]] = alice.notDelivered;
    assertEqual(notId, refused, 'not delivered id');
    assertEqual(code, 0, 'code');
    assert(reason.includes('application/x-unknown'), reason);
    assertEqual(bob.received.length, 1, 'Bob got nothing more');
});

chatTest('chat: composing indication', (waiter, alice, bob) => {
    startPair(waiter, alice, bob);
    assert(alice.chat.send_composing_indication('active', 60), 'active');
    waiter.wait('bob-composing-indication1');
    const [indication, sender] = bob.composing[0];
    assert(indication instanceof Msrp.IsComposing, 'an Msrp.IsComposing');
    assertEqual(indication.state, 'active', 'state');
    assertEqual(indication.refresh, 60, 'refresh');
    assertEqual(sender, ALICE, 'sender');
    assert(alice.chat.send_composing_indication('idle', 0), 'idle');
    waiter.wait('bob-composing-indication2');
    assertEqual(bob.composing[1][0].get_state(), 'idle', 'idle state');
    assertEqual(bob.received.length, 0, 'not a message');
});

chatTest('chat: end', (waiter, alice, bob) => {
    startPair(waiter, alice, bob);
    alice.chat.end_async(null, waiter.callback('alice-end', endFinish));
    const [ended] = waiter.wait('alice-end', 'bob-ended1');
    assertEqual(ended, true, `end: ${describe(ended)}`);
    for (const peer of [alice, bob]) {
        assertEqual(peer.chat.state, Msrp.StreamState.ENDED, 'state');
        assert(peer.events.indexOf('will-end') < peer.events.indexOf('ended'), 'will-end, then ended');
        assertEqual(peer.chat.get_session(), null, 'no session');
        assertEqual(peer.failed.length, 0, 'not failed');
    }
    assertThrows(() => alice.chat.send_text('late'), Gio.IOErrorEnum, Gio.IOErrorEnum.CLOSED, 'send after the end');
});

chatTest('chat: failed on a wrong fingerprint', (waiter, alice, bob) => {
    const offer = Msrp.SdpMedia.parse(initialize(waiter, alice, null).to_string());
    offer.fingerprint = `sha-256 ${Array(32).fill('AB').join(':')}`;
    const answer = initialize(waiter, bob, offer);
    alice.chat.start_async(answer, null, waiter.callback('alice-start', startFinish));
    bob.chat.start_async(null, null, waiter.callback('bob-start', startFinish));
    const [result] = waiter.wait('bob-start', 'bob-failed1');
    assert(result instanceof GLib.Error && result.matches(Msrp.Error, Msrp.Error.FINGERPRINT_MISMATCH),
        describe(result));
    const [error] = bob.failed;
    assert(error instanceof GLib.Error && error.matches(Msrp.Error, Msrp.Error.FINGERPRINT_MISMATCH),
        `failed: ${describe(error)}`);
    assertEqual(bob.chat.state, Msrp.StreamState.FAILED, 'state');
    alice.chat.end_async(null, waiter.callback('alice-end', endFinish));
    waiter.wait('alice-end', 'alice-start');
    assert(!alice.events.includes('started'), 'Alice never started');
});

run();
