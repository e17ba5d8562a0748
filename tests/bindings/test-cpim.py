#!/usr/bin/python3
# test-cpim.py: MsrpCpimMessage from Python (PyGObject)
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

from harness import main  # noqa: E402

IMDN = 'urn:ietf:params:imdn'

# RFC 3862 section 6, with LF line ends as some stacks write them.
RFC3862_EXAMPLE = (
    b'From: MR SANDERS <im:piglet@100akerwood.com>\n'
    b'To: Depressed Donkey <im:eeyore@100akerwood.com>\n'
    b'DateTime: 2000-12-13T13:40:00-08:00\n'
    b'Subject: the weather will be fine today\n'
    b"Subject:;lang=fr beau temps prevu pour aujourd'hui\n"
    b'NS: MyFeatures <mid:MessageFeatures@id.foo.com>\n'
    b'Require: MyFeatures.VitalMessageOption\n'
    b'MyFeatures.VitalMessageOption: Confirmation-requested\n'
    b'MyFeatures.WackyMessageOption: Use-silly-font\n'
    b'\n'
    b'Content-type: text/xml; charset=utf-8\n'
    b'Content-ID: <1234567890@foo.com>\n'
    b'\n'
    b'<body>\n'
    b'Here is the text of my message.\n'
    b'</body>\n'
)


class CpimTests(unittest.TestCase):
    def test_build_and_parse(self):
        body = b'Hello\x00World'
        msg = Msrp.CpimMessage.new('text/plain; charset=utf-8', GLib.Bytes.new(body))
        msg.set_from('Alice <sip:alice@example.com>')
        msg.add_to('<sip:bob@example.com>')
        msg.add_cc('tel:+1-201-555-0123')
        msg.set_subject('hi')
        msg.add_subject('salut', 'fr')
        when = GLib.DateTime.new(GLib.TimeZone.new_offset(-8 * 3600), 2000, 12, 13, 13, 40, 0.5)
        msg.set_datetime(when)
        msg.add_header(IMDN, 'imdn', 'Message-ID', '34jk324j')

        wire = msg.to_bytes().get_data()
        self.assertIn(b'NS: imdn <urn:ietf:params:imdn>\r\n', wire)
        self.assertIn(b'From: "Alice" <sip:alice@example.com>\r\n', wire)
        self.assertIn(b'DateTime: 2000-12-13T13:40:00.5-08:00\r\n', wire)
        self.assertIn(b'Subject:;lang=fr salut\r\n', wire)
        self.assertTrue(wire.endswith(b'\r\n\r\n' + body))

        parsed = Msrp.CpimMessage.parse(GLib.Bytes.new(wire))
        self.assertTrue(parsed.equal(msg))
        self.assertEqual(parsed.get_from(), '"Alice" <sip:alice@example.com>')
        self.assertEqual(parsed.get_to(), ['<sip:bob@example.com>'])
        self.assertEqual(parsed.get_cc(), ['<tel:+1-201-555-0123>'])
        self.assertEqual(parsed.get_subject(), 'hi')
        self.assertEqual(parsed.get_subject_for_lang('fr'), 'salut')
        self.assertEqual(parsed.get_subject_langs(), ['fr'])
        self.assertEqual(parsed.get_datetime().to_unix(), when.to_unix())
        self.assertEqual(parsed.get_datetime().get_utc_offset(), when.get_utc_offset())
        self.assertEqual(parsed.get_header(IMDN, 'Message-ID'), '34jk324j')
        self.assertEqual(parsed.get_content_type(), 'text/plain; charset=utf-8')
        self.assertEqual(parsed.get_body().get_data(), body)

    def test_rfc3862_example(self):
        msg = Msrp.CpimMessage.parse(GLib.Bytes.new(RFC3862_EXAMPLE))
        self.assertEqual(msg.get_from(), '"MR SANDERS" <im:piglet@100akerwood.com>')
        self.assertEqual(msg.get_subject_for_lang('fr'), "beau temps prevu pour aujourd'hui")
        self.assertEqual(msg.get_require(), ['MyFeatures.VitalMessageOption'])
        self.assertEqual(msg.get_header('mid:MessageFeatures@id.foo.com', 'VitalMessageOption'),
                         'Confirmation-requested')
        self.assertEqual(msg.get_header_values(None, 'Subject'),
                         ['the weather will be fine today', "beau temps prevu pour aujourd'hui"])
        self.assertEqual(msg.get_content_header('content-id'), '<1234567890@foo.com>')
        again = Msrp.CpimMessage.parse(msg.to_bytes())
        self.assertTrue(again.equal(msg))

    def test_malformed(self):
        with self.assertRaises(GLib.Error) as cm:
            Msrp.CpimMessage.parse(GLib.Bytes.new(b'From: <sip:a@b>\nnot a header\n\n\n'))
        self.assertTrue(cm.exception.matches(Msrp.Error.quark(), Msrp.Error.MALFORMED_CPIM))
        self.assertIn('Line 2', cm.exception.message)


if __name__ == '__main__':
    sys.exit(main())
