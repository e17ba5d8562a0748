/* test-vala.vala: the msrp-glib-1.0 VAPI, compiled and run
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

const string RFC4975_SEND =
    "MSRP a786hjs2 SEND\r\n" +
    "To-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r\n" +
    "From-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\r\n" +
    "Message-ID: 87652491\r\n" +
    "Byte-Range: 1-23/23\r\n" +
    "Content-Type: text/plain\r\n" +
    "\r\n" +
    "Hey Bob, are you there?\r\n" +
    "-------a786hjs2$\r\n";

string bytes_to_string (GLib.Bytes bytes) {
    /* The data is not NUL-terminated: copy it into a string that is. */
    var builder = new GLib.StringBuilder.sized (bytes.get_size () + 1);
    builder.append_len ((string) bytes.get_data (), (ssize_t) bytes.get_size ());
    return builder.str;
}

void test_uri_parse () {
    try {
        var uri = Msrp.Uri.parse ("msrps://alice%20smith@[2001:DB8::1]:7394/2s93i93idj;TCP;foo=bar");
        assert_cmpstr (uri.get_host (), GLib.CompareOperator.EQ, "2001:DB8::1");
        assert_cmpuint (uri.get_port (), GLib.CompareOperator.EQ, 7394);
        assert_cmpstr (uri.get_user (), GLib.CompareOperator.EQ, "alice smith");
        assert_cmpstr (uri.get_session_id (), GLib.CompareOperator.EQ, "2s93i93idj");
        assert_cmpstr (uri.get_transport (), GLib.CompareOperator.EQ, "tcp");
        assert_cmpstr (uri.get_parameter ("foo"), GLib.CompareOperator.EQ, "bar");
        assert_true (uri.get_use_tls ());
        assert_true (uri.use_tls);
        assert_cmpstr (uri.to_string (), GLib.CompareOperator.EQ,
                       "msrps://alice%20smith@[2001:DB8::1]:7394/2s93i93idj;tcp;foo=bar");

        var other = Msrp.Uri.parse ("MSRPS://[2001:db8::1]:7394/2s93i93idj;tcp");
        assert_true (uri.equal (other));
        assert_cmpuint (uri.hash (), GLib.CompareOperator.EQ, other.hash ());

        var local = new Msrp.Uri ("192.0.2.1", Msrp.DEFAULT_PORT, null, false);
        assert_nonnull (local.get_session_id ());
        assert_cmpuint (local.get_port (), GLib.CompareOperator.EQ, 2855);
    } catch (GLib.Error e) {
        GLib.error ("unexpected error: %s", e.message);
    }
}

void test_uri_invalid () {
    try {
        Msrp.Uri.parse ("http://example.com/s;tcp");
        GLib.assert_not_reached ();
    } catch (Msrp.Error e) {
        assert_error (e, Msrp.Error.quark (), Msrp.Error.INVALID_URI);
        assert_true (e is Msrp.Error.INVALID_URI);
    } catch (GLib.Error e) {
        GLib.error ("wrong error: %s", e.message);
    }
}

void test_chunk_parse () {
    try {
        var data = new GLib.Bytes (RFC4975_SEND.data);
        size_t consumed;
        var chunk = Msrp.Chunk.parse (data, out consumed);

        assert_cmpuint ((uint) consumed, GLib.CompareOperator.EQ, RFC4975_SEND.length);
        assert_true (chunk.is_request ());
        assert_cmpstr (chunk.get_method (), GLib.CompareOperator.EQ, "SEND");
        assert_cmpstr (chunk.get_transaction_id (), GLib.CompareOperator.EQ, "a786hjs2");
        assert_cmpstr (chunk.get_message_id (), GLib.CompareOperator.EQ, "87652491");
        assert_cmpstr (chunk.get_header ("content-type"), GLib.CompareOperator.EQ, "text/plain");
        assert_true (chunk.get_continuation () == Msrp.Continuation.END);

        string[] names = chunk.get_header_names ();
        assert_cmpint (names.length, GLib.CompareOperator.EQ, 5);
        assert_cmpstr (names[0], GLib.CompareOperator.EQ, "To-Path");
        assert_cmpstr (names[4], GLib.CompareOperator.EQ, "Content-Type");

        unowned GLib.GenericArray<Msrp.Uri>? to_path = chunk.get_to_path ();
        assert_nonnull (to_path);
        assert_cmpuint (to_path.length, GLib.CompareOperator.EQ, 1);
        assert_cmpstr (to_path[0].get_host (), GLib.CompareOperator.EQ, "biloxi.example.com");
        assert_cmpuint (to_path[0].get_port (), GLib.CompareOperator.EQ, 12763);
        assert_cmpstr (to_path[0].get_session_id (), GLib.CompareOperator.EQ, "kjhd37s2s20w2a");

        int64 start, end, total;
        assert_true (chunk.get_byte_range (out start, out end, out total));
        assert_cmpint ((int) start, GLib.CompareOperator.EQ, 1);
        assert_cmpint ((int) end, GLib.CompareOperator.EQ, 23);
        assert_cmpint ((int) total, GLib.CompareOperator.EQ, 23);

        assert_cmpstr (bytes_to_string (chunk.get_data ()), GLib.CompareOperator.EQ, "Hey Bob, are you there?");
        assert_cmpstr (bytes_to_string (chunk.encode ()), GLib.CompareOperator.EQ, RFC4975_SEND);
        assert_true (chunk.verify_headers ());
    } catch (GLib.Error e) {
        GLib.error ("unexpected error: %s", e.message);
    }
}

void test_chunk_build () {
    try {
        var chunk = new Msrp.Chunk.request ("SEND", "a786hjs2");
        var to_path = new GLib.GenericArray<Msrp.Uri> ();
        to_path.add (Msrp.Uri.parse ("msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp"));
        var from_path = Msrp.path_parse ("msrp://atlanta.example.com:7654/jshA7weztas;tcp");

        chunk.set_content_type ("text/plain");
        chunk.set_to_path (to_path);
        chunk.set_from_path (from_path);
        chunk.set_message_id ("87652491");
        chunk.set_byte_range (1, 23, 23);
        chunk.set_data (new GLib.Bytes ("Hey Bob, are you there?".data));
        assert_cmpstr (bytes_to_string (chunk.encode ()), GLib.CompareOperator.EQ, RFC4975_SEND);
        assert_cmpstr (Msrp.path_to_string (chunk.get_from_path ()), GLib.CompareOperator.EQ,
                       "msrp://atlanta.example.com:7654/jshA7weztas;tcp");

        chunk.set_message_id (null);
        try {
            chunk.verify_headers ();
            GLib.assert_not_reached ();
        } catch (Msrp.TransactionError.BAD_REQUEST e) {
            /* Caught by the exported error domain and code. */
            assert_true (e is Msrp.TransactionError);
            assert_cmpint (e.code, GLib.CompareOperator.EQ, Msrp.Status.BAD_REQUEST);
        }
    } catch (GLib.Error e) {
        GLib.error ("unexpected error: %s", e.message);
    }
}

void test_status () {
    var report = new Msrp.Chunk.request ("REPORT", null);
    report.set_status (Msrp.Status.STOP_SENDING, null);

    uint code;
    unowned string? comment;
    assert_true (report.get_status (out code, out comment));
    assert_cmpuint (code, GLib.CompareOperator.EQ, 413);
    assert_cmpstr (comment, GLib.CompareOperator.EQ, "Stop Sending");
    assert_cmpstr (Msrp.Status.get_reason (481), GLib.CompareOperator.EQ, "Session Does Not Exist");
}

void test_sdp_media () {
    try {
        var media = Msrp.SdpMedia.parse ("m=message 7394 TCP/MSRP *\r\n" +
                                         "a=accept-types:message/cpim text/plain\r\n" +
                                         "a=path:msrp://192.0.2.1:7394/2s93i93idj;tcp\r\n" +
                                         "a=file-selector:name:\"a.txt\" size:5\r\n");
        assert_cmpuint (media.port, GLib.CompareOperator.EQ, 7394);
        unowned string[]? types = media.get_accept_types ();
        assert_nonnull (types);
        assert_cmpstr (types[1], GLib.CompareOperator.EQ, "text/plain");
        unowned GLib.GenericArray<Msrp.Uri>? path = media.get_path ();
        assert_cmpstr (path[0].get_session_id (), GLib.CompareOperator.EQ, "2s93i93idj");
        assert_cmpstr (media.file_selector.name, GLib.CompareOperator.EQ, "a.txt");
        assert_true (media.file_selector.size == 5);
        assert_null (media.setup);

        media.setup = "actpass";
        media.direction = Msrp.SdpDirection.RECVONLY;
        assert_cmpstr (media.to_string (), GLib.CompareOperator.EQ,
                       "m=message 7394 TCP/MSRP *\r\n" +
                       "a=accept-types:message/cpim text/plain\r\n" +
                       "a=path:msrp://192.0.2.1:7394/2s93i93idj;tcp\r\n" +
                       "a=setup:actpass\r\n" +
                       "a=recvonly\r\n" +
                       "a=file-selector:name:\"a.txt\" size:5\r\n");
    } catch (GLib.Error e) {
        GLib.error ("unexpected error: %s", e.message);
    }
    try {
        Msrp.SdpMedia.parse ("m=message 1 TCP/MSRP *\r\na=setup:sideways\r\n");
        GLib.assert_not_reached ();
    } catch (Msrp.Error e) {
        assert_true (e is Msrp.Error.MALFORMED_SDP);
    } catch (GLib.Error e) {
        GLib.error ("wrong error: %s", e.message);
    }
}

int main (string[] args) {
    GLib.Test.init (ref args);
    GLib.Test.add_func ("/vala/uri/parse", test_uri_parse);
    GLib.Test.add_func ("/vala/uri/invalid", test_uri_invalid);
    GLib.Test.add_func ("/vala/chunk/parse", test_chunk_parse);
    GLib.Test.add_func ("/vala/chunk/build", test_chunk_build);
    GLib.Test.add_func ("/vala/chunk/status", test_status);
    GLib.Test.add_func ("/vala/sdp/media", test_sdp_media);
    return GLib.Test.run ();
}
