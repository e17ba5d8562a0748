#!/usr/bin/python3
# test-formats.py: MsrpImdn and MsrpIsComposing from Python (PyGObject)
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

# RFC 5438 section 7.2.1.2, with a prefix instead of the default namespace.
DISPLAY_NOTIFICATION = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<i:imdn xmlns:i="urn:ietf:params:xml:ns:imdn">\n'
    b'   <i:message-id>34jk324j</i:message-id>\n'
    b'   <i:datetime>2008-04-04T12:16:49-05:00</i:datetime>\n'
    b'   <i:recipient-uri>im:bob@example.com</i:recipient-uri>\n'
    b'   <i:display-notification>\n'
    b'      <i:status>\n'
    b'         <i:displayed/>\n'
    b'      </i:status>\n'
    b'   </i:display-notification>\n'
    b'</i:imdn>\n'
)

# RFC 3994 section 6, the active indication.
ACTIVE = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"\n'
    b'  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"\n'
    b'  xsi:schemaLocation="urn:ietf:params:xml:ns:im-composing\n'
    b'  iscomposing.xsd">\n'
    b'  <state>active</state>\n'
    b'  <contenttype>text/plain</contenttype>\n'
    b'  <refresh>90</refresh>\n'
    b'</isComposing>\n'
)


def is_malformed_xml(error):
    return error.matches(Msrp.Error.quark(), Msrp.Error.MALFORMED_XML)


class ImdnTests(unittest.TestCase):
    def test_constants(self):
        self.assertEqual(Msrp.IMDN_NAMESPACE, 'urn:ietf:params:imdn')
        self.assertEqual(Msrp.IMDN_CONTENT_TYPE, 'message/imdn+xml')

    def test_parse(self):
        imdn = Msrp.Imdn.parse(GLib.Bytes.new(DISPLAY_NOTIFICATION))
        self.assertEqual(imdn.get_kind(), Msrp.ImdnKind.DISPLAY)
        self.assertEqual(imdn.props.status, 'displayed')
        self.assertEqual(imdn.props.message_id, '34jk324j')
        self.assertEqual(imdn.props.recipient_uri, 'im:bob@example.com')
        self.assertIsNone(imdn.props.original_recipient_uri)
        when = imdn.get_datetime()
        self.assertEqual(when.to_unix(), 1207329409)
        self.assertEqual(when.get_utc_offset(), -5 * 3600 * 1000000)

    def test_build(self):
        imdn = Msrp.Imdn.new(Msrp.ImdnKind.DELIVERY, 'm1', 'failed')
        imdn.set_datetime(GLib.DateTime.new_utc(2024, 1, 2, 3, 4, 5))
        imdn.props.subject = 'R&D <plans>'
        xml = imdn.to_bytes().get_data()
        self.assertTrue(xml.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n'
                                       b'<imdn xmlns="urn:ietf:params:xml:ns:imdn">\n'))
        self.assertIn(b'<datetime>2024-01-02T03:04:05Z</datetime>', xml)
        self.assertIn(b'<subject>R&amp;D &lt;plans&gt;</subject>', xml)
        self.assertIn(b'<delivery-notification>\n    <status>\n      <failed/>', xml)

        again = Msrp.Imdn.parse(GLib.Bytes.new(xml))
        self.assertEqual((again.props.kind, again.props.status, again.props.message_id,
                          again.props.subject),
                         (Msrp.ImdnKind.DELIVERY, 'failed', 'm1', 'R&D <plans>'))

        # keyword construction: the kind is set before the status
        display = Msrp.Imdn(status='forbidden', kind=Msrp.ImdnKind.DISPLAY, message_id='m2')
        self.assertEqual(display.props.status, 'forbidden')
        display.set_kind(Msrp.ImdnKind.PROCESSING)
        self.assertEqual(display.props.status, 'forbidden')
        display.set_kind(Msrp.ImdnKind.DELIVERY)
        display.set_status(None)
        self.assertEqual(display.props.status, 'delivered')

    def test_statuses(self):
        self.assertTrue(Msrp.ImdnKind.has_status(Msrp.ImdnKind.PROCESSING, 'stored'))
        self.assertFalse(Msrp.ImdnKind.has_status(Msrp.ImdnKind.DISPLAY, 'delivered'))
        self.assertTrue(Msrp.ImdnKind.has_status(Msrp.ImdnKind.DISPLAY, 'error'))

    def test_refused(self):
        for doc, needle in [
                (DISPLAY_NOTIFICATION.replace(b'i:displayed', b'i:delivered'), '<display-notification>'),
                (DISPLAY_NOTIFICATION.replace(b'xml:ns:imdn', b'xml:ns:other'), 'xml:ns:other'),
                (b'<!DOCTYPE x [<!ENTITY a "b">]>' + DISPLAY_NOTIFICATION[38:], 'DOCTYPE'),
                (DISPLAY_NOTIFICATION[:100], 'well-formed')]:
            with self.assertRaises(GLib.Error) as cm:
                Msrp.Imdn.parse(GLib.Bytes.new(doc))
            self.assertTrue(is_malformed_xml(cm.exception), cm.exception.message)
            self.assertIn(needle, cm.exception.message)


class IsComposingTests(unittest.TestCase):
    def test_parse(self):
        ic = Msrp.IsComposing.parse(GLib.Bytes.new(ACTIVE))
        self.assertEqual(ic.get_state(), 'active')
        self.assertEqual(ic.props.content_type, 'text/plain')
        self.assertEqual(ic.props.refresh, 90)
        self.assertIsNone(ic.props.last_active)

    def test_build(self):
        self.assertEqual(Msrp.IS_COMPOSING_CONTENT_TYPE, 'application/im-iscomposing+xml')
        ic = Msrp.IsComposing.new('idle', None, 0)
        ic.props.last_active = GLib.DateTime.new(GLib.TimeZone.new_offset(3600), 2003, 1, 27, 11, 43, 0)
        xml = ic.to_bytes().get_data()
        self.assertEqual(xml,
                         b'<?xml version="1.0" encoding="UTF-8"?>\n'
                         b'<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing">\n'
                         b'  <state>idle</state>\n'
                         b'  <lastactive>2003-01-27T11:43:00+01:00</lastactive>\n'
                         b'</isComposing>\n')
        again = Msrp.IsComposing.parse(GLib.Bytes.new(xml))
        self.assertEqual(again.props.last_active.to_unix(), 1043664180)
        self.assertEqual(again.props.state, 'idle')

    def test_refused(self):
        with self.assertRaises(GLib.Error) as cm:
            Msrp.IsComposing.parse(GLib.Bytes.new(ACTIVE.replace(b'>active<', b'>typing<')))
        self.assertTrue(is_malformed_xml(cm.exception))
        self.assertIn('typing', cm.exception.message)


if __name__ == '__main__':
    sys.exit(main())
