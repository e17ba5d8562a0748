#!/usr/bin/python3
# chat.py: Alice and Bob chat, both in this process. Alice's SDP offer and
# Bob's answer go between them as text, as a SIP application carries them in
# an INVITE and its 200 OK; then the chat runs over TLS, checked by the
# fingerprints in that SDP, with delivery and display marks.
# SPDX-License-Identifier: LGPL-2.1-or-later

import sys

import gi
gi.require_version('Msrp', '1.0')
from gi.repository import GLib, Msrp

loop = GLib.MainLoop()
marks = []    # delivered and displayed marks seen
ends = []     # Alice's end finished, Bob saw the end


def fail(what, error):
    print(f'{what}: {error.message}', file=sys.stderr)
    sys.exit(1)


def make_chat(name, me, peer):
    chat = Msrp.Chat.new(me, peer)
    # Both ends are on this machine; a real application leaves this out.
    chat.set_local_uri(Msrp.Uri.new('127.0.0.1', 0, None, False))
    chat.connect('message-received', on_message, name)
    chat.connect('message-delivered', on_delivered, name)
    chat.connect('message-displayed', on_displayed, name)
    chat.connect('message-not-delivered', on_not_delivered, name)
    chat.connect('failed', lambda chat, error: fail(name, error))
    return chat


def on_message(chat, message, name):
    print(f'{name} got from {message.props.sender}: {message.props.text}')
    # The sender asked to know when its message is shown: it is now.
    chat.send_display_notification(message.props.message_id)
    if chat is bob:
        bob.send_text('Hi Alice! All fine here.')


def on_delivered(chat, message_id, name):
    print(f'{name}: \u2713 delivered ({message_id})')
    count_mark()


def on_displayed(chat, message_id, name):
    print(f'{name}: \u2713\u2713 displayed ({message_id})')
    count_mark()


def on_not_delivered(chat, message_id, code, reason, name):
    print(f'{name}: not delivered ({message_id}): {code} {reason}', file=sys.stderr)
    sys.exit(1)


def count_mark():
    # Two messages, each delivered and displayed: then Alice hangs up.
    marks.append(True)
    if len(marks) == 4:
        alice.end_async(None, on_alice_ended)


def on_alice_ended(chat, result):
    try:
        chat.end_finish(result)
    except GLib.Error as e:
        fail('end', e)
    print('Alice: chat ended')
    end_seen()


def on_bob_ended(chat):
    print('Bob: Alice ended the chat')
    end_seen()


def end_seen():
    ends.append(True)
    if len(ends) == 2:
        loop.quit()


def receive_sdp(who, media):
    """The other side's media arrives as SDP text."""
    sdp = media.to_string()
    print(f"{who}'s SDP:\n{sdp}")
    return Msrp.SdpMedia.parse(sdp)


def on_offer(chat, result):
    try:
        offer = receive_sdp('Alice', chat.initialize_finish(result))
    except GLib.Error as e:
        fail('offer', e)
    bob.initialize_async(offer, None, on_answer)
    # Sending before the chat runs is fine: the message waits for it.
    alice.send_text('Hello Bob, how are you?')


def on_answer(chat, result):
    try:
        answer = receive_sdp('Bob', chat.initialize_finish(result))
    except GLib.Error as e:
        fail('answer', e)
    # Alice starts with Bob's answer, Bob with the offer he has: he connects.
    alice.start_async(answer, None, on_started)
    bob.start_async(None, None, on_started)


def on_started(chat, result):
    try:
        chat.start_finish(result)
    except GLib.Error as e:
        fail('start', e)


alice = make_chat('Alice', 'Alice <sip:alice@example.com>', 'Bob <sip:bob@example.com>')
bob = make_chat('Bob', 'Bob <sip:bob@example.com>', 'Alice <sip:alice@example.com>')
bob.connect('ended', on_bob_ended)

# Alice makes the offer: None, she has none from Bob.
alice.initialize_async(None, None, on_offer)
loop.run()
