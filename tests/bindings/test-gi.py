#!/usr/bin/python3
# test-gi.py: the Msrp typelib from Python (PyGObject)
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Runs against the built typelib: set GI_TYPELIB_PATH and LD_LIBRARY_PATH to
# the build's msrp-glib directory (meson test does). Prints TAP.

import sys
import unittest

import gi
gi.require_version('Msrp', '1.0')
from gi.repository import GLib, Msrp  # noqa: E402

from harness import GI_TRANSFER_CONTAINER, main  # noqa: E402

# The first SEND of RFC 4975 section 7.2, with the Byte-Range of its
# 23-byte body.
RFC4975_SEND = (
    b'MSRP a786hjs2 SEND\r\n'
    b'To-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r\n'
    b'From-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\r\n'
    b'Message-ID: 87652491\r\n'
    b'Byte-Range: 1-23/23\r\n'
    b'Content-Type: text/plain\r\n'
    b'\r\n'
    b'Hey Bob, are you there?\r\n'
    b'-------a786hjs2$\r\n'
)

# The REPORT of RFC 4975 section 7.1.2 (Status 000 200 OK).
RFC4975_REPORT = (
    b'MSRP dkei38sd REPORT\r\n'
    b'To-Path: msrp://alice.example.com:7777/iau39soe2843z;tcp\r\n'
    b'From-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\r\n'
    b'Message-ID: 12339sdqwer\r\n'
    b'Byte-Range: 1-106/106\r\n'
    b'Status: 000 200 OK\r\n'
    b'-------dkei38sd$\r\n'
)


def path_parse_transfers_container():
    """Whether the typelib says msrp_path_parse() gives the caller the array
    but not a second reference to its elements (the array's free function
    owns those). With (transfer full), bindings unref every URI twice and
    crash, so the tests that call path_parse() need the right annotation."""
    info = gi.Repository.get_default().find_by_name('Msrp', 'path_parse')
    return info.get_caller_owns() == GI_TRANSFER_CONTAINER


PATH_PARSE_OK = path_parse_transfers_container()


def make_path(*uris):
    return [Msrp.Uri.parse(u) for u in uris]


def glib_bytes(data):
    return GLib.Bytes.new(data)


class UriTests(unittest.TestCase):
    def test_parse(self):
        uri = Msrp.Uri.parse('msrp://alice.example.com:7394/2s93i93idj;tcp')
        self.assertIsInstance(uri, Msrp.Uri)
        self.assertEqual(uri.get_host(), 'alice.example.com')
        self.assertEqual(uri.get_port(), 7394)
        self.assertEqual(uri.get_session_id(), '2s93i93idj')
        self.assertEqual(uri.get_transport(), 'tcp')
        self.assertFalse(uri.get_use_tls())
        self.assertIsNone(uri.get_user())
        self.assertEqual(uri.to_string(), 'msrp://alice.example.com:7394/2s93i93idj;tcp')

    def test_properties(self):
        uri = Msrp.Uri.parse('msrps://bob@example.com/s1;tcp')
        self.assertEqual(uri.props.host, 'example.com')
        self.assertEqual(uri.props.port, 0)
        self.assertEqual(uri.props.user, 'bob')
        self.assertEqual(uri.props.session_id, 's1')
        self.assertEqual(uri.props.transport, 'tcp')
        self.assertTrue(uri.props.use_tls)

    def test_ipv6(self):
        uri = Msrp.Uri.parse('MSRPS://[2001:DB8::1]:2855/sEss;TCP')
        self.assertEqual(uri.get_host(), '2001:DB8::1')
        self.assertEqual(uri.get_port(), 2855)
        self.assertTrue(uri.get_use_tls())
        self.assertEqual(uri.get_transport(), 'tcp')
        self.assertEqual(uri.to_string(), 'msrps://[2001:DB8::1]:2855/sEss;tcp')

    def test_user_part(self):
        uri = Msrp.Uri.parse('msrp://alice%20smith@example.com/s1;tcp')
        self.assertEqual(uri.get_user(), 'alice smith')
        self.assertEqual(uri.get_port(), 0)
        self.assertEqual(uri.to_string(), 'msrp://alice%20smith@example.com/s1;tcp')

    def test_parameters(self):
        uri = Msrp.Uri.parse('msrp://example.com/s1;tcp;foo=bar;baz')
        self.assertEqual(uri.get_parameter('FOO'), 'bar')
        self.assertEqual(uri.get_parameter('baz'), '')
        self.assertIsNone(uri.get_parameter('nope'))
        self.assertEqual(uri.get_parameter_names(), ['foo', 'baz'])
        self.assertEqual(uri.to_string(), 'msrp://example.com/s1;tcp;foo=bar;baz')

    def test_new(self):
        uri = Msrp.Uri.new('2001:db8::5', 2855, 'abc', True)
        self.assertEqual(uri.to_string(), 'msrps://[2001:db8::5]:2855/abc;tcp')
        random1 = Msrp.Uri.new('192.0.2.1', 0, None, False)
        random2 = Msrp.Uri.new('192.0.2.1', 0, None, False)
        self.assertTrue(random1.get_session_id())
        self.assertNotEqual(random1.get_session_id(), random2.get_session_id())
        self.assertTrue(random1.to_string().startswith('msrp://192.0.2.1/'))

    def test_equal(self):
        a = Msrp.Uri.parse('msrp://Alice.Example.COM:7394/2s93i93idj;tcp')
        b = Msrp.Uri.parse('MSRP://someone@alice.example.com:7394/2s93i93idj;TCP;x=y')
        self.assertTrue(Msrp.Uri.equal(a, b))
        self.assertTrue(a.equal(b))
        self.assertEqual(a.hash(), b.hash())
        # The session-id is case-sensitive.
        self.assertFalse(Msrp.Uri.equal(a, Msrp.Uri.parse('msrp://alice.example.com:7394/2S93I93IDJ;tcp')))
        # An explicit port never equals an absent one, even the default.
        self.assertFalse(Msrp.Uri.equal(Msrp.Uri.parse('msrp://h.example.com:2855/s;tcp'),
                                        Msrp.Uri.parse('msrp://h.example.com/s;tcp')))
        # msrp: and msrps: differ.
        self.assertFalse(Msrp.Uri.equal(Msrp.Uri.parse('msrp://h.example.com/s;tcp'),
                                        Msrp.Uri.parse('msrps://h.example.com/s;tcp')))

    def test_invalid(self):
        for bad in ['http://example.com/s;tcp', 'msrp://example.com/s', 'msrp://example.com:0/s;tcp',
                    'msrp://[::1/s;tcp', 'msrp:///s;tcp', '']:
            with self.subTest(uri=bad):
                with self.assertRaises(GLib.Error) as cm:
                    Msrp.Uri.parse(bad)
                self.assertEqual(cm.exception.domain, 'msrp-error-quark')
                self.assertEqual(cm.exception.code, Msrp.Error.INVALID_URI)
                self.assertTrue(cm.exception.matches(Msrp.Error.quark(), Msrp.Error.INVALID_URI))
                self.assertIn('Invalid MSRP URI', cm.exception.message)


class PathTests(unittest.TestCase):
    def test_path_parse_annotation(self):
        self.assertTrue(PATH_PARSE_OK,
                        'msrp_path_parse() must be annotated (transfer container): the array '
                        'unrefs its URIs itself, so (transfer full) makes bindings unref them twice')

    def test_parse(self):
        path = Msrp.path_parse('msrp://relay.example.com;tcp  msrp://bob.example.com:8888/9di4eae923wzd;tcp')
        self.assertIsInstance(path, list)
        self.assertEqual(len(path), 2)
        self.assertTrue(all(isinstance(uri, Msrp.Uri) for uri in path))
        self.assertEqual(path[0].get_host(), 'relay.example.com')
        self.assertIsNone(path[0].get_session_id())
        self.assertEqual(path[1].get_port(), 8888)
        self.assertEqual(path[1].get_session_id(), '9di4eae923wzd')
        self.assertEqual(Msrp.path_to_string(path),
                         'msrp://relay.example.com;tcp msrp://bob.example.com:8888/9di4eae923wzd;tcp')
        self.assertTrue(Msrp.path_equal(path, make_path('msrp://RELAY.example.com;tcp',
                                                        'msrp://bob.example.com:8888/9di4eae923wzd;tcp')))
        self.assertFalse(Msrp.path_equal(path, path[:1]))
        # Each URI is ours alone.
        self.assertEqual([uri.__grefcount__ for uri in path], [1, 1])

    def test_to_string(self):
        path = make_path('msrp://a.example.com:1/x;tcp', 'msrps://[::1]/y;tcp')
        self.assertEqual(Msrp.path_to_string(path), 'msrp://a.example.com:1/x;tcp msrps://[::1]/y;tcp')

    def test_invalid(self):
        with self.assertRaises(GLib.Error) as cm:
            Msrp.path_parse('')
        self.assertEqual(cm.exception.domain, 'msrp-error-quark')
        self.assertEqual(cm.exception.code, Msrp.Error.INVALID_URI)
        with self.assertRaises(GLib.Error) as cm:
            Msrp.path_parse('msrp://a.example.com/s;tcp msrp://b.example.com/s')
        self.assertEqual(cm.exception.code, Msrp.Error.INVALID_URI)
        self.assertIn('URI 2 of the path', cm.exception.message)


class ChunkTests(unittest.TestCase):
    def build_send(self):
        chunk = Msrp.Chunk.new_request('SEND', 'a786hjs2')
        # Set in a scrambled order: the chunk keeps wire order.
        chunk.set_content_type('text/plain')
        chunk.set_message_id('87652491')
        chunk.set_from_path(make_path('msrp://atlanta.example.com:7654/jshA7weztas;tcp'))
        chunk.set_to_path(make_path('msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp'))
        chunk.set_byte_range(1, 23, 23)
        chunk.set_data(glib_bytes(b'Hey Bob, are you there?'))
        return chunk

    def test_encode_send(self):
        chunk = self.build_send()
        self.assertTrue(chunk.is_request())
        self.assertEqual(chunk.get_method(), 'SEND')
        self.assertEqual(chunk.get_size(), 23)
        self.assertEqual(chunk.encode().get_data(), RFC4975_SEND)
        self.assertTrue(chunk.verify_headers())

    def test_encode_response(self):
        response = Msrp.Chunk.new_response('a786hjs2', Msrp.Status.OK, None)
        response.set_to_path(make_path('msrp://atlanta.example.com:7654/jshA7weztas;tcp'))
        response.set_from_path(make_path('msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp'))
        self.assertFalse(response.is_request())
        self.assertIsNone(response.get_method())
        self.assertEqual(response.get_code(), 200)
        self.assertEqual(response.get_comment(), 'OK')
        self.assertEqual(response.encode().get_data(),
                         b'MSRP a786hjs2 200 OK\r\n'
                         b'To-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\r\n'
                         b'From-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r\n'
                         b'-------a786hjs2$\r\n')

    def test_random_transaction_id(self):
        a = Msrp.Chunk.new_request('SEND', None)
        b = Msrp.Chunk.new_request('SEND', None)
        self.assertGreaterEqual(len(a.get_transaction_id()), 8)
        self.assertNotEqual(a.get_transaction_id(), b.get_transaction_id())

    def test_parse(self):
        extra = b'MSRP next SEND\r\n'
        chunk, consumed = Msrp.Chunk.parse(glib_bytes(RFC4975_SEND + extra))
        self.assertIsInstance(chunk, Msrp.Chunk)
        self.assertEqual(consumed, len(RFC4975_SEND))
        self.assertEqual(chunk.get_method(), 'SEND')
        self.assertEqual(chunk.get_transaction_id(), 'a786hjs2')
        self.assertEqual(chunk.get_continuation(), Msrp.Continuation.END)
        self.assertEqual(chunk.get_header_names(),
                         ['To-Path', 'From-Path', 'Message-ID', 'Byte-Range', 'Content-Type'])
        self.assertEqual(chunk.get_header('message-id'), '87652491')
        self.assertEqual(chunk.get_message_id(), '87652491')
        self.assertEqual(chunk.get_content_type(), 'text/plain')
        self.assertEqual(chunk.get_data().get_data(), b'Hey Bob, are you there?')

        to_path = chunk.get_to_path()
        self.assertEqual(len(to_path), 1)
        self.assertEqual(to_path[0].get_host(), 'biloxi.example.com')
        self.assertEqual(to_path[0].get_port(), 12763)
        self.assertEqual(to_path[0].get_session_id(), 'kjhd37s2s20w2a')
        from_path = chunk.get_from_path()
        self.assertEqual(from_path[0].get_session_id(), 'jshA7weztas')

        # What comes back out is what went in.
        self.assertEqual(chunk.encode().get_data(), RFC4975_SEND)
        self.assertTrue(chunk.verify_headers())

    def test_parse_continuation(self):
        data = RFC4975_SEND.replace(b'a786hjs2$', b'a786hjs2+')
        chunk, _ = Msrp.Chunk.parse(glib_bytes(data))
        self.assertEqual(chunk.get_continuation(), Msrp.Continuation.MORE)
        chunk.set_continuation(Msrp.Continuation.ABORT)
        self.assertTrue(chunk.encode().get_data().endswith(b'-------a786hjs2#\r\n'))

    def test_parse_errors(self):
        cases = [
            (RFC4975_SEND[:-10], Msrp.Error.INCOMPLETE_CHUNK),
            (b'HTTP/1.1 200 OK\r\n\r\n', Msrp.Error.MALFORMED_CHUNK),
            (b'MSRP abc SEND\r\nnot a header\r\n-------abc$\r\n', Msrp.Error.MALFORMED_CHUNK),
        ]
        for data, code in cases:
            with self.subTest(data=data):
                with self.assertRaises(GLib.Error) as cm:
                    Msrp.Chunk.parse(glib_bytes(data))
                self.assertEqual(cm.exception.domain, 'msrp-error-quark')
                self.assertEqual(cm.exception.code, code)

    def test_byte_range(self):
        chunk = self.build_send()
        self.assertEqual(tuple(chunk.get_byte_range()), (True, 1, 23, 23))
        ok, start, end, total = chunk.get_byte_range()
        self.assertEqual((ok, start, end, total), (True, 1, 23, 23))

        chunk.set_byte_range(4097, -1, -1)
        self.assertEqual(chunk.get_header('Byte-Range'), '4097-*/*')
        self.assertEqual(tuple(chunk.get_byte_range()), (True, 4097, -1, -1))

        # No header reads as 1-*/*, and says so.
        self.assertTrue(chunk.remove_header('byte-range'))
        self.assertEqual(tuple(chunk.get_byte_range()), (False, 1, -1, -1))

        big = 5 * 1024 ** 3
        chunk.set_byte_range(big - 9, big, big)
        self.assertEqual(tuple(chunk.get_byte_range()), (True, big - 9, big, big))

    def test_status(self):
        report, _ = Msrp.Chunk.parse(glib_bytes(RFC4975_REPORT))
        self.assertEqual(report.get_method(), 'REPORT')
        ok, code, comment = report.get_status()
        self.assertTrue(ok)
        self.assertEqual(code, Msrp.Status.OK)
        self.assertEqual(comment, 'OK')
        self.assertTrue(report.verify_headers())

        report.set_status(Msrp.Status.STOP_SENDING, None)
        self.assertEqual(report.get_header('Status'), '000 413 Stop Sending')
        self.assertEqual(tuple(report.get_status()), (True, 413, 'Stop Sending'))

        send = self.build_send()
        self.assertEqual(tuple(send.get_status()), (False, 0, None))

    def test_auth_params(self):
        response = Msrp.Chunk.new_response('x1', Msrp.Status.UNAUTHORIZED, None)
        response.set_www_authenticate('Digest realm="example.com", nonce="dcd98b\\"7102", qop="auth"')
        params, scheme = response.get_auth_params('WWW-Authenticate')
        self.assertEqual(scheme, 'Digest')
        self.assertEqual(params, {'realm': 'example.com', 'nonce': 'dcd98b"7102', 'qop': 'auth'})

        params, scheme = response.get_auth_params('Authorization')
        self.assertIsNone(params)
        self.assertIsNone(scheme)

    def test_headers(self):
        chunk = self.build_send()
        chunk.set_header('X-Extension', 'one')
        chunk.add_header('X-Extension', 'two')
        self.assertEqual(chunk.get_header('x-extension'), 'one')
        self.assertEqual(chunk.get_header_names(),
                         ['To-Path', 'From-Path', 'Message-ID', 'Byte-Range',
                          'X-Extension', 'X-Extension', 'Content-Type'])
        self.assertTrue(chunk.remove_header('X-EXTENSION'))
        self.assertIsNone(chunk.get_header('X-Extension'))
        self.assertFalse(chunk.remove_header('X-Extension'))

    def test_reports(self):
        chunk = self.build_send()
        self.assertFalse(chunk.get_success_report())
        self.assertEqual(chunk.get_failure_report(), Msrp.FailureReport.YES)
        chunk.set_success_report(True)
        chunk.set_failure_report(Msrp.FailureReport.PARTIAL)
        self.assertEqual(chunk.get_header('Success-Report'), 'yes')
        self.assertEqual(chunk.get_header('Failure-Report'), 'partial')
        self.assertTrue(chunk.get_success_report())
        self.assertEqual(chunk.get_failure_report(), Msrp.FailureReport.PARTIAL)

    def test_copy(self):
        chunk = self.build_send()
        copy = chunk.copy()
        self.assertIsNot(copy, chunk)
        self.assertEqual(copy.encode().get_data(), chunk.encode().get_data())
        copy.set_message_id('other')
        self.assertEqual(chunk.get_message_id(), '87652491')

    def test_verify_headers(self):
        chunk = self.build_send()
        chunk.set_message_id(None)
        with self.assertRaises(GLib.Error) as cm:
            chunk.verify_headers()
        # The exported error domain, not its quark's string.
        self.assertTrue(cm.exception.matches(Msrp.TransactionError.quark(),
                                             Msrp.TransactionError.BAD_REQUEST))
        self.assertEqual(cm.exception.code, 400)
        self.assertEqual(cm.exception.code, Msrp.Status.BAD_REQUEST)
        self.assertIn('Message-ID', cm.exception.message)

        chunk = self.build_send()
        chunk.set_content_type(None)
        with self.assertRaises(GLib.Error) as cm:
            chunk.verify_headers()
        self.assertEqual(cm.exception.code, Msrp.Status.BAD_REQUEST)
        self.assertIn('Content-Type', cm.exception.message)

    def test_transaction_error_domain(self):
        self.assertEqual(GLib.quark_to_string(Msrp.TransactionError.quark()),
                         'msrp-transaction-error-quark')
        # Each code is the MsrpStatus of the same name.
        for code in Msrp.TransactionError.__enum_values__.values():
            name = code.value_nick.upper().replace('-', '_')
            self.assertEqual(int(code), int(getattr(Msrp.Status, name)), name)
        self.assertEqual(Msrp.TransactionError.FORBIDDEN, 403)
        self.assertEqual(len(Msrp.TransactionError.__enum_values__), 10)

    def test_status_reason(self):
        self.assertEqual(Msrp.Status.get_reason(Msrp.Status.SESSION_DOES_NOT_EXIST), 'Session Does Not Exist')
        self.assertEqual(Msrp.Status.get_reason(200), 'OK')
        self.assertIsNone(Msrp.Status.get_reason(299))


class VersionTests(unittest.TestCase):
    def test_version(self):
        self.assertEqual(Msrp.DEFAULT_PORT, 2855)
        self.assertEqual((Msrp.get_major_version(), Msrp.get_minor_version(), Msrp.get_micro_version()),
                         (Msrp.MAJOR_VERSION, Msrp.MINOR_VERSION, Msrp.MICRO_VERSION))
        self.assertEqual(Msrp.VERSION_S, f'{Msrp.MAJOR_VERSION}.{Msrp.MINOR_VERSION}.{Msrp.MICRO_VERSION}')


if __name__ == '__main__':
    sys.exit(main())
