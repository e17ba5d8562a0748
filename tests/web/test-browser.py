#!/usr/bin/python3
# test-browser.py: a real browser chats with MsrpChat through MsrpRelay.
# Headless Chromium loads a page from this test's SoupServer; the page's
# JavaScript (msrp.js, browser-test.js) opens a WebSocket (sub-protocol
# msrp) to the relay's WebSocket listener, AUTHs with Digest, answers the
# chat's SDP offer, and exchanges messages with the chat, which reaches the
# relay over TCP. The page writes each step into its DOM, which Chromium
# prints (--dump-dom) once the page says it is done.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Runs against the built typelib: set GI_TYPELIB_PATH and LD_LIBRARY_PATH to
# the build's msrp-glib directory (meson test does). Prints TAP. Skipped
# without Chromium, unless MSRP_TEST_REQUIRE_BROWSER=1 (CI).

import html.parser
import json
import os
import shutil
import sys
import tempfile
import unittest

import gi
gi.require_version('Msrp', '1.0')
gi.require_version('Soup', '3.0')
from gi.repository import Gio, GLib, Msrp, Soup  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'bindings'))
from harness import Waiter, describe, finisher, main  # noqa: E402

LOCAL = '<sip:alice@example.com>'
REMOTE = '<sip:web@example.com>'
FROM_BROWSER = ['Grüße aus Chromium', 'plain text, too']
FROM_CHAT = 'Hallo Browser ✓'

initialize_finish = finisher('initialize_finish')
start_finish = finisher('start_finish')
end_finish = finisher('end_finish')


def find_chromium():
    for name in (os.environ.get('MSRP_TEST_CHROMIUM'), 'chromium', 'chromium-browser',
                 'google-chrome'):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


class DomResults(html.parser.HTMLParser):
    """The text of each element with an id, from the dumped DOM."""

    VOID = {'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source',
            'track', 'wbr'}

    def __init__(self):
        super().__init__()
        self.by_id = {}
        self.open = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        ident = dict(attrs).get('id')
        self.open.append(ident)
        if ident:
            self.by_id[ident] = ''

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.open:
            self.open.pop()

    def handle_data(self, data):
        for ident in self.open:
            if ident:
                self.by_id[ident] += data


class BrowserTests(unittest.TestCase):
    def setUp(self):
        self.chromium = find_chromium()
        if self.chromium is None:
            if os.environ.get('MSRP_TEST_REQUIRE_BROWSER') == '1':
                self.fail('MSRP_TEST_REQUIRE_BROWSER=1 but no chromium on PATH')
            self.skipTest('no chromium on PATH')
        self.waiter = Waiter(self)
        self.profile = tempfile.TemporaryDirectory(prefix='msrp-test-browser-')

        self.relay = Msrp.Relay.new('example.com')
        self.relay.add_user('alice', 'alicepass')
        self.relay.add_user('web', 'webpass')
        self.tcp_uri = self.relay.listen('127.0.0.1', 0, False)
        self.ws_uri = self.relay.listen_websocket('127.0.0.1', 0, False)

        settings = Msrp.RelaySettings.new('example.com', 'alice', 'alicepass')
        settings.props.host = '127.0.0.1'
        settings.props.port = self.tcp_uri.get_port()
        settings.props.use_tls = False
        self.chat = Msrp.Chat.new(LOCAL, REMOTE)
        self.chat.props.relay = settings
        self.chat.props.use_tls = False
        self.received = []
        self.delivered = []
        self.failed = []
        self.chat.connect('message-received', self.on_message)
        self.chat.connect('message-delivered', self.on_delivered)
        self.chat.connect('failed', lambda chat, error: self.failed.append(error))

        self.outcome = None
        self.held = []
        self.server = Soup.Server()
        self.server.add_handler('/', self.on_request)
        self.server.listen_local(0, Soup.ServerListenOptions.IPV4_ONLY)
        self.base = self.server.get_uris()[0].to_string()

    def tearDown(self):
        self.chat.end_async(None, self.waiter.callback('end', end_finish))
        self.waiter.wait('end')
        self.server.disconnect()
        self.relay.stop()
        self.profile.cleanup()

    def on_message(self, chat, message):
        self.received.append(message)
        self.waiter.set(f'received{len(self.received)}', True)
        if len(self.received) == len(FROM_BROWSER):
            self.reply_id = chat.send_text(FROM_CHAT)

    def on_delivered(self, chat, message_id):
        self.delivered.append(message_id)
        self.waiter.set('delivered', True)

    def respond(self, msg, status, content_type=None, body=b''):
        msg.set_status(status, None)
        if content_type:
            msg.set_response(content_type, Soup.MemoryUse.COPY, body)

    def on_request(self, server, msg, path, query):
        method = msg.get_method()
        if path in ('/', '/browser-test.html', '/msrp.js', '/browser-test.js'):
            name = 'browser-test.html' if path == '/' else path[1:]
            with open(os.path.join(HERE, name), 'rb') as f:
                kind = 'text/html' if name.endswith('.html') else 'text/javascript'
                self.respond(msg, 200, f'{kind}; charset=utf-8', f.read())
        elif path == '/config':
            config = {
                'websocket': f'ws://127.0.0.1:{self.ws_uri.get_port()}/',
                'relay': self.ws_uri.to_string(),
                'user': 'web',
                'password': 'webpass',
                'offer': self.offer,
                'local': REMOTE,
                'remote': LOCAL,
                'messages': FROM_BROWSER,
            }
            self.respond(msg, 200, 'application/json', json.dumps(config).encode())
        elif path == '/answer' and method == 'POST':
            answer = msg.get_request_body().flatten().get_data().decode()
            self.waiter.set('answer', answer)
            try:
                media = Msrp.SdpMedia.parse(answer)
            except GLib.Error as e:
                self.respond(msg, 400, 'text/plain', e.message.encode())
                return
            self.chat.start_async(media, None, self.waiter.callback('started', start_finish))
            self.respond(msg, 204)
        elif path == '/hold':
            # Answered once the page is done (see browser-test.html).
            msg.pause()
            self.held.append(msg)
            self.release_if_done()
        elif path == '/done' and method == 'POST':
            self.outcome = msg.get_request_body().flatten().get_data().decode()
            self.respond(msg, 204)
            self.release_if_done()
        else:
            self.respond(msg, 404)

    def release_if_done(self):
        if self.outcome is None:
            return
        for held in self.held:
            self.respond(held, 204)
            held.unpause()
        self.held = []

    def run_chromium(self):
        """Chromium with the page, until it prints the DOM; gives it."""
        argv = [self.chromium, '--headless', '--disable-gpu', '--no-first-run',
                '--no-default-browser-check', '--disable-extensions', '--disable-sync',
                '--disable-background-networking', '--mute-audio',
                f'--user-data-dir={self.profile.name}']
        # Chromium's sandbox refuses to run as root (containers, CI).
        if os.geteuid() == 0:
            argv.append('--no-sandbox')
        argv += ['--dump-dom', self.base + 'browser-test.html']
        launcher = Gio.SubprocessLauncher.new(Gio.SubprocessFlags.STDOUT_PIPE |
                                              Gio.SubprocessFlags.STDERR_PIPE)
        # No session bus here: without this Chromium waits for one.
        launcher.setenv('DBUS_SESSION_BUS_ADDRESS', 'disabled:', True)
        process = launcher.spawnv(argv)

        def on_done(proc, result):
            try:
                _, out, err = proc.communicate_utf8_finish(result)
                self.waiter.set('chromium', (proc.get_exit_status(), out, err))
            except GLib.Error as e:
                self.waiter.set('chromium', e)

        process.communicate_utf8_async(None, None, on_done)
        try:
            (done,) = self.waiter.wait('chromium')
        finally:
            # A wait that timed out leaves it running.
            process.force_exit()
        self.assertNotIsInstance(done, GLib.Error, describe(done))
        status, out, err = done
        self.assertEqual(status, 0, f'chromium failed:\n{err[-3000:]}')
        return out

    def test_chat_with_browser(self):
        self.chat.initialize_async(None, None, self.waiter.callback('offer', initialize_finish))
        (offer,) = self.waiter.wait('offer')
        self.assertIsInstance(offer, Msrp.SdpMedia, describe(offer))
        self.offer = offer.to_string()

        dom = self.run_chromium()
        results = DomResults()
        results.feed(dom)
        page = results.by_id
        self.assertEqual(page.get('outcome'), 'passed', f'the page says: {page}\n{dom}')
        self.assertEqual(self.outcome, 'passed')

        # The page AUTHed at the relay's WebSocket listener and got a path
        # through it: the relay's URI for its session (the TCP one, which
        # TCP peers reach), then its own random .invalid URI over WebSocket
        # (RFC 7977 section 5.2).
        path = [Msrp.Uri.parse(u) for u in page['auth'].split()]
        self.assertEqual(len(path), 2, page['auth'])
        self.assertEqual(path[0].get_port(), self.tcp_uri.get_port())
        self.assertEqual(path[0].get_transport(), 'tcp')
        self.assertIsNotNone(path[0].get_session_id())
        self.assertTrue(path[1].get_host().endswith('.invalid'), page['auth'])
        self.assertEqual(path[1].get_transport(), 'ws')

        answer, started = self.waiter.wait('answer', 'started')
        self.assertIs(started, True, describe(started))
        self.assertIn('TCP/WS/MSRP', answer)

        # Both messages from the browser, as the chat's user sees them.
        self.waiter.wait('received1', 'received2')
        self.assertEqual([m.get_text() for m in self.received], FROM_BROWSER)
        self.assertEqual(self.received[0].get_content_type(), 'text/plain')
        self.assertEqual(self.received[0].get_sender(), REMOTE)
        self.assertIsNotNone(self.received[0].get_cpim())
        self.assertIsNone(self.received[1].get_cpim())
        self.assertEqual(page['sent-cpim'], self.received[0].get_message_id())
        # The chat's success REPORT reached the browser for the right message.
        self.assertEqual(page['report'], '000 200 OK same-id')
        self.assertEqual(page['sent-plain'], 'ok')

        # The chat's reply, in CPIM since the browser takes it, and the
        # browser's REPORT for it came back as a delivery.
        self.assertEqual(page['received'], f'text/plain;charset=UTF-8|{FROM_CHAT}|{LOCAL}')
        self.waiter.wait('delivered')
        self.assertEqual(self.delivered, [self.reply_id])
        self.assertEqual(self.failed, [])


if __name__ == '__main__':
    sys.exit(main())
