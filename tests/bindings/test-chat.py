#!/usr/bin/python3
# test-chat.py: two MsrpChat in one process on loopback, driven from Python
# (PyGObject) through the typelib: offer and answer as SDP text, messages
# both ways, delivery and display notifications, is-composing, the end
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Runs against the built typelib: set GI_TYPELIB_PATH and LD_LIBRARY_PATH to
# the build's msrp-glib directory (meson test does). Prints TAP.

import sys
import unittest

import gi
gi.require_version('Msrp', '1.0')
from gi.repository import Gio, GLib, Msrp  # noqa: E402

from harness import Waiter, describe, finisher, main  # noqa: E402

ALICE = '"Alice" <sip:alice@example.com>'
BOB = '<sip:bob@example.com>'

initialize_finish = finisher('initialize_finish')
start_finish = finisher('start_finish')
end_finish = finisher('end_finish')


class ChatPeer:
    """A chat and what its signals brought, in order; each emission is also
    set on the waiter as '<name>-<signal><count>'."""

    def __init__(self, name, local, remote, waiter):
        self.name = name
        self.waiter = waiter
        self.chat = Msrp.Chat.new(local, remote)
        self.chat.set_local_uri(Msrp.Uri.new('127.0.0.1', 0, None, False))
        self.received = []       # Msrp.ChatMessage
        self.delivered = []      # message ids
        self.not_delivered = []  # (message id, code, reason)
        self.displayed = []      # message ids
        self.composing = []      # (Msrp.IsComposing, sender)
        self.failed = []         # GLib.Error
        self.events = []         # the names of the signals, in order
        for signal in ('initialized', 'started', 'will-end', 'ended', 'failed', 'message-received',
                       'message-delivered', 'message-not-delivered', 'message-displayed',
                       'composing-indication'):
            self.chat.connect(signal, self.on_signal, signal)

    def on_signal(self, chat, *args):
        *values, signal = args
        self.assert_is(chat)
        lists = {'message-received': self.received, 'message-delivered': self.delivered,
                 'message-not-delivered': self.not_delivered, 'message-displayed': self.displayed,
                 'composing-indication': self.composing, 'failed': self.failed}
        if signal in lists:
            lists[signal].append(values[0] if len(values) == 1 else tuple(values))
        self.events.append(signal)
        self.waiter.set(f'{self.name}-{signal}{self.events.count(signal)}', True)

    def assert_is(self, chat):
        # An exception here would only be printed: record a wrong emitter.
        if chat is not self.chat:
            self.events.append('wrong-emitter')


def gi_info(name):
    return gi.Repository.get_default().find_by_name('Msrp', name)


def nullable_arguments(callable_info):
    return {a.get_name() for a in callable_info.get_arguments() if a.may_be_null()}


class AnnotationTests(unittest.TestCase):
    """What the typelib says of the chat layer: bindings trust it, and a
    missing (nullable) makes them refuse None or pass garbage."""

    def test_nullable_arguments(self):
        stream = gi_info('Stream')
        self.assertIn('remote_offer', nullable_arguments(stream.find_method('initialize_async')))
        self.assertIn('remote_answer', nullable_arguments(stream.find_method('start_async')))
        self.assertEqual(nullable_arguments(gi_info('Chat').find_method('send_message')),
                         {'recipients', 'timestamp'})
        # A subclass's prepare_local_media gets NULL when it makes an offer.
        self.assertEqual(nullable_arguments(stream.find_vfunc('prepare_local_media')), {'remote_offer'})
        self.assertEqual(nullable_arguments(stream.find_vfunc('check_remote_media')), set())

    def test_nullable_returns(self):
        message = gi_info('ChatMessage')
        nullable = {m.get_name() for m in message.get_methods() if m.may_return_null()}
        self.assertEqual(nullable, {'get_text', 'get_cpim'})
        stream = gi_info('Stream')
        for name in ('get_session', 'get_local_media', 'get_remote_media', 'get_relay', 'get_server'):
            self.assertTrue(stream.find_method(name).may_return_null(), name)
        self.assertFalse(stream.find_method('initialize_finish').may_return_null())

    def test_signals(self):
        def signature(name):
            signals = {}
            for signal in gi_info(name).get_signals():
                types = []
                for argument in signal.get_arguments():
                    interface = argument.get_type().get_interface()
                    types.append(interface.get_name() if interface else argument.get_type().get_tag_as_string())
                signals[signal.get_name()] = types
            return signals

        self.assertEqual(signature('Chat'), {
            'message-received': ['ChatMessage'],
            'message-delivered': ['utf8'],
            'message-not-delivered': ['utf8', 'guint32', 'utf8'],
            'message-displayed': ['utf8'],
            'composing-indication': ['IsComposing', 'utf8'],
        })
        self.assertEqual(signature('Stream'), {
            'initialized': [], 'started': [], 'will-end': [], 'ended': [], 'failed': ['error'],
        })


class ChatTests(unittest.TestCase):
    def setUp(self):
        self.waiter = Waiter(self)
        self.alice = ChatPeer('alice', ALICE, BOB, self.waiter)
        self.bob = ChatPeer('bob', BOB, ALICE, self.waiter)

    def tearDown(self):
        # Both end, whatever the test left; ending an ended chat finishes
        # at once.
        for peer in (self.alice, self.bob):
            peer.chat.end_async(None, self.waiter.callback(f'{peer.name}-teardown', end_finish))
        self.waiter.wait('alice-teardown', 'bob-teardown')
        for peer in (self.alice, self.bob):
            self.assertNotIn('wrong-emitter', peer.events)

    def initialize(self, peer, offer):
        peer.chat.initialize_async(offer, None, self.waiter.callback('init', initialize_finish))
        self.assertEqual(peer.chat.get_state(), Msrp.StreamState.INITIALIZING)
        media, = self.waiter.wait('init')
        self.assertIsInstance(media, Msrp.SdpMedia, describe(media))
        self.assertEqual(peer.chat.props.state, Msrp.StreamState.INITIALIZED)
        self.assertIn('initialized', peer.events)
        return media

    def offer_answer(self):
        """Alice offers, Bob answers; each gets the other's media as SDP text,
        as a SIP application would. Gives the two texts."""
        offer = self.initialize(self.alice, None).to_string()
        answer = self.initialize(self.bob, Msrp.SdpMedia.parse(offer)).to_string()
        return offer, answer

    def start(self):
        offer, answer = self.offer_answer()
        self.alice.chat.start_async(Msrp.SdpMedia.parse(answer), None,
                                    self.waiter.callback('alice-start', start_finish))
        self.bob.chat.start_async(None, None, self.waiter.callback('bob-start', start_finish))
        a, b = self.waiter.wait('alice-start', 'bob-start')
        self.assertIs(a, True, describe(a))
        self.assertIs(b, True, describe(b))
        for peer in (self.alice, self.bob):
            self.assertEqual(peer.chat.get_state(), Msrp.StreamState.STARTED)
            self.assertIn('started', peer.events)
            self.assertIsInstance(peer.chat.get_session(), Msrp.Session)
        return offer, answer

    def test_offer_answer(self):
        self.assertTrue(self.alice.chat.props.use_tls, 'TLS by default')
        self.assertEqual(self.alice.chat.get_state(), Msrp.StreamState.NEW)
        offer_text, answer_text = self.offer_answer()
        offer = Msrp.SdpMedia.parse(offer_text)
        answer = Msrp.SdpMedia.parse(answer_text)

        self.assertTrue(offer_text.startswith('m=message '), offer_text)
        self.assertTrue(offer_text.endswith('\r\n'))
        self.assertEqual(offer.props.protocol, 'TCP/TLS/MSRP')
        self.assertEqual(offer.props.setup, 'actpass')
        self.assertTrue(offer.props.cema)
        self.assertEqual(offer.props.connection_address, '127.0.0.1')
        self.assertTrue(offer.get_fingerprint().startswith('sha-256 '), offer.get_fingerprint())
        path = offer.get_path()
        self.assertEqual(len(path), 1)
        self.assertTrue(path[0].get_use_tls())
        self.assertEqual(path[0].get_port(), offer.props.port)
        self.assertIn('message/cpim', offer.get_accept_types())
        self.assertIn('message/imdn+xml', offer.props.accept_wrapped_types)
        self.assertTrue(self.alice.chat.get_is_offerer())

        # Bob connects: active, and says so; port 9 since he listens nowhere.
        self.assertEqual(answer.props.setup, 'active')
        self.assertEqual(answer.props.protocol, 'TCP/TLS/MSRP')
        self.assertEqual(answer.props.port, 9)
        self.assertIsNotNone(answer.props.fingerprint)
        self.assertFalse(self.bob.chat.get_is_offerer())
        self.assertEqual(self.bob.chat.get_remote_media().to_string(), offer_text)
        self.assertEqual(self.bob.chat.props.local_media.to_string(), answer_text)
        self.assertIsNone(self.alice.chat.get_remote_media())
        self.assertIsNone(self.alice.chat.get_session())

    def test_plain_offer(self):
        self.alice.chat.props.use_tls = False
        offer = self.initialize(self.alice, None)
        self.assertEqual(offer.props.protocol, 'TCP/MSRP')
        self.assertIsNone(offer.props.fingerprint)
        self.assertFalse(offer.get_path()[0].get_use_tls())
        # The answer follows the offer, whatever Bob's use-tls says.
        answer = self.initialize(self.bob, Msrp.SdpMedia.parse(offer.to_string()))
        self.assertEqual(answer.props.protocol, 'TCP/MSRP')

    def test_chat(self):
        self.start()
        # TLS, with no setup at all.
        for peer in (self.alice, self.bob):
            stream = peer.chat.get_session().get_transport().get_stream()
            if isinstance(stream, Gio.TcpWrapperConnection):
                stream = stream.get_base_io_stream()
            self.assertIsInstance(stream, Gio.TlsConnection)
        self.assertTrue(self.alice.chat.get_cpim_enabled())
        self.assertTrue(self.alice.chat.props.cpim_enabled)

        message_id = self.alice.chat.send_text('H\u00e9llo, Bob')
        self.assertIsInstance(message_id, str)
        self.waiter.wait('bob-message-received1', 'alice-message-delivered1')
        self.assertEqual(self.alice.delivered, [message_id])
        message, = self.bob.received
        self.assertIsInstance(message, Msrp.ChatMessage)
        self.assertEqual(message.get_text(), 'H\u00e9llo, Bob')
        self.assertEqual(message.props.text, 'H\u00e9llo, Bob')
        self.assertEqual(message.get_sender(), ALICE)
        self.assertEqual(list(message.get_recipients()), [BOB])
        self.assertEqual(message.props.recipients, [BOB])
        self.assertEqual(message.get_message_id(), message_id)
        self.assertTrue(message.get_content_type().startswith('text/plain'), message.get_content_type())
        self.assertEqual(message.get_content().get_data(), 'H\u00e9llo, Bob'.encode())
        self.assertIsInstance(message.get_timestamp(), GLib.DateTime)
        self.assertFalse(message.get_private())
        self.assertFalse(message.props.private)
        cpim = message.get_cpim()
        self.assertIsInstance(cpim, Msrp.CpimMessage)
        self.assertEqual(cpim.get_from(), ALICE)

        # Bob's display notification reaches Alice once; his delivery
        # notification does not deliver the message twice.
        self.assertTrue(self.bob.chat.send_display_notification(message_id))
        self.waiter.wait('alice-message-displayed1')
        self.assertEqual(self.alice.displayed, [message_id])
        with self.assertRaises(GLib.Error) as caught:
            self.bob.chat.send_display_notification(message_id)
        self.assertTrue(caught.exception.matches(Gio.io_error_quark(), Gio.IOErrorEnum.NOT_FOUND))

        # And back.
        answer_id = self.bob.chat.send_text('Hi Alice')
        self.waiter.wait('alice-message-received1', 'bob-message-delivered1')
        self.assertEqual(self.bob.delivered, [answer_id])
        self.assertEqual(self.alice.received[0].props.text, 'Hi Alice')
        self.assertEqual(self.alice.received[0].props.sender, BOB)
        self.assertEqual(self.alice.delivered, [message_id])
        self.assertEqual(self.alice.not_delivered + self.bob.not_delivered, [])
        self.assertEqual(self.alice.failed + self.bob.failed, [])

    def test_message_properties(self):
        self.start()
        # A timestamp of the sender's, and content that is not text.
        when = GLib.DateTime.new_utc(2024, 2, 29, 12, 30, 15)
        image = bytes(range(256))
        message_id = self.alice.chat.send_message(GLib.Bytes.new(image), 'image/png', None, when)
        self.waiter.wait('bob-message-received1', 'alice-message-delivered1')
        message, = self.bob.received
        self.assertEqual(message.props.message_id, message_id)
        self.assertEqual(message.props.content_type, 'image/png')
        self.assertEqual(message.props.content.get_data(), image)
        self.assertIsNone(message.props.text)
        self.assertIsNone(message.get_text())
        self.assertEqual(message.props.timestamp.to_unix(), when.to_unix())
        self.assertEqual(message.props.recipients, [BOB])
        self.assertIsInstance(message.props.cpim, Msrp.CpimMessage)
        self.assertEqual(message.props.cpim.get_body().get_data(), image)

        # Recipients of the caller's: the peer, named as the caller likes.
        self.alice.chat.send_message(GLib.Bytes.new(b'<b>hi</b>'), 'text/html', ['sip:bob@example.com'], None)
        self.waiter.wait('bob-message-received2')
        self.assertEqual(self.bob.received[1].props.text, '<b>hi</b>')
        self.assertEqual(self.bob.received[1].props.recipients, [BOB])

        # A recipient that is no identity is the caller's error.
        with self.assertRaises(GLib.Error) as caught:
            self.alice.chat.send_message(GLib.Bytes.new(b'x'), 'text/plain', ['not an identity <'], None)
        self.assertTrue(caught.exception.matches(Msrp.Error.quark(), Msrp.Error.MALFORMED_CPIM),
                        describe(caught.exception))

    def test_not_delivered(self):
        self.start()
        # Bob takes text and images inside CPIM: not this.
        message_id = self.alice.chat.send_message(GLib.Bytes.new(b'\0\1'), 'application/x-unknown', None, None)
        self.waiter.wait('alice-message-not-delivered1')
        (got_id, code, reason), = self.alice.not_delivered
        self.assertEqual(got_id, message_id)
        self.assertEqual(code, 0)
        self.assertIn('application/x-unknown', reason)
        self.assertEqual(self.alice.delivered, [])
        self.assertEqual(self.bob.received, [])

    def test_queued_until_started(self):
        offer, answer = self.offer_answer()
        # Sent before the chat runs: it goes once it does.
        message_id = self.alice.chat.send_text('early')
        self.alice.chat.start_async(Msrp.SdpMedia.parse(answer), None,
                                    self.waiter.callback('alice-start', start_finish))
        self.bob.chat.start_async(None, None, self.waiter.callback('bob-start', start_finish))
        self.waiter.wait('alice-start', 'bob-start', 'bob-message-received1', 'alice-message-delivered1')
        self.assertEqual(self.bob.received[0].props.text, 'early')
        self.assertEqual(self.alice.delivered, [message_id])

    def test_composing(self):
        self.start()
        self.assertTrue(self.alice.chat.send_composing_indication('active', 60))
        self.waiter.wait('bob-composing-indication1')
        indication, sender = self.bob.composing[0]
        self.assertIsInstance(indication, Msrp.IsComposing)
        self.assertEqual(indication.props.state, 'active')
        self.assertEqual(indication.get_refresh(), 60)
        self.assertEqual(sender, ALICE)

        self.assertTrue(self.alice.chat.send_composing_indication('idle', 0))
        self.waiter.wait('bob-composing-indication2')
        indication, sender = self.bob.composing[1]
        self.assertEqual(indication.get_state(), 'idle')
        self.assertEqual(sender, ALICE)
        # Neither is a message.
        self.assertEqual(self.bob.received, [])
        self.assertEqual(self.alice.delivered, [])

    def test_end(self):
        self.start()
        self.alice.chat.end_async(None, self.waiter.callback('alice-end', end_finish))
        ended, _ = self.waiter.wait('alice-end', 'bob-ended1')
        self.assertIs(ended, True, describe(ended))
        for peer in (self.alice, self.bob):
            self.assertEqual(peer.chat.get_state(), Msrp.StreamState.ENDED)
            self.assertLess(peer.events.index('will-end'), peer.events.index('ended'))
            self.assertIsNone(peer.chat.get_session())
            self.assertEqual(peer.failed, [])
        # Sending after the end is an error, not a silent drop.
        with self.assertRaises(GLib.Error) as caught:
            self.alice.chat.send_text('late')
        self.assertTrue(caught.exception.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CLOSED))

    def test_failed(self):
        offer = self.initialize(self.alice, None)
        # Someone on the signalling path changed the fingerprint: Bob, who
        # connects, refuses Alice's certificate.
        offer = Msrp.SdpMedia.parse(offer.to_string())
        offer.set_fingerprint('sha-256 ' + ':'.join(['AB'] * 32))
        answer = self.initialize(self.bob, offer)
        self.alice.chat.start_async(answer, None, self.waiter.callback('alice-start', start_finish))
        self.bob.chat.start_async(None, None, self.waiter.callback('bob-start', start_finish))
        result, _ = self.waiter.wait('bob-start', 'bob-failed1')
        self.assertIsInstance(result, GLib.Error)
        self.assertTrue(result.matches(Msrp.Error.quark(), Msrp.Error.FINGERPRINT_MISMATCH), describe(result))
        error, = self.bob.failed
        self.assertIsInstance(error, GLib.Error)
        self.assertTrue(error.matches(Msrp.Error.quark(), Msrp.Error.FINGERPRINT_MISMATCH), describe(error))
        self.assertEqual(self.bob.chat.get_state(), Msrp.StreamState.FAILED)
        # Alice never got a session: ending her stops her wait.
        self.alice.chat.end_async(None, self.waiter.callback('alice-end', end_finish))
        self.waiter.wait('alice-end', 'alice-start')
        self.assertNotIn('started', self.alice.events)


if __name__ == '__main__':
    sys.exit(main())
