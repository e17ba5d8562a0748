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

void test_imdn () {
    try {
        var imdn = new Msrp.Imdn (Msrp.ImdnKind.PROCESSING, "34jk324j", "stored");
        imdn.set_datetime (new GLib.DateTime.utc (2008, 4, 4, 17, 16, 49));
        imdn.subject = "a & b";
        var parsed = Msrp.Imdn.parse (imdn.to_bytes ());
        assert_true (parsed.kind == Msrp.ImdnKind.PROCESSING);
        assert_cmpstr (parsed.get_status (), GLib.CompareOperator.EQ, "stored");
        assert_cmpstr (parsed.message_id, GLib.CompareOperator.EQ, "34jk324j");
        assert_cmpstr (parsed.subject, GLib.CompareOperator.EQ, "a & b");
        assert_null (parsed.recipient_uri);
        assert_cmpint ((int) parsed.get_datetime ().to_unix (), GLib.CompareOperator.EQ, 1207329409);
        assert_true (Msrp.ImdnKind.DISPLAY.has_status ("forbidden"));
        assert_false (Msrp.ImdnKind.DISPLAY.has_status ("stored"));
        assert_cmpstr (Msrp.IMDN_NAMESPACE, GLib.CompareOperator.EQ, "urn:ietf:params:imdn");
    } catch (GLib.Error e) {
        GLib.error ("unexpected error: %s", e.message);
    }

    try {
        Msrp.Imdn.parse (new GLib.Bytes ("<!DOCTYPE imdn><imdn/>".data));
        GLib.assert_not_reached ();
    } catch (Msrp.Error.MALFORMED_XML e) {
        assert_true (e.message.contains ("DOCTYPE"));
    } catch (GLib.Error e) {
        GLib.error ("wrong error: %s", e.message);
    }
}

void test_is_composing () {
    try {
        var ic = new Msrp.IsComposing ("active", "text/plain", 90);
        var parsed = Msrp.IsComposing.parse (ic.to_bytes ());
        assert_cmpstr (parsed.state, GLib.CompareOperator.EQ, "active");
        assert_cmpstr (parsed.content_type, GLib.CompareOperator.EQ, "text/plain");
        assert_cmpuint (parsed.refresh, GLib.CompareOperator.EQ, 90);
        assert_null (parsed.last_active);
        assert_cmpstr (Msrp.IS_COMPOSING_CONTENT_TYPE, GLib.CompareOperator.EQ, "application/im-iscomposing+xml");
    } catch (GLib.Error e) {
        GLib.error ("unexpected error: %s", e.message);
    }
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

/* Resumes a coroutine from the main loop when a signal comes. */
class Wakeup {
    SourceFunc? resume = null;

    public void wake () {
        if (resume != null) {
            GLib.Idle.add ((owned) resume);
            resume = null;
        }
    }

    public async void wait () {
        resume = wait.callback;
        yield;
    }
}

/* Two chats in one process: the offer and the answer go as SDP text, both
 * start (over TLS, by default), a message goes each way with its delivery,
 * a display notification comes back, and the chat ends on both sides. */
const string ALICE = "\"Alice\" <sip:alice@example.com>";
const string BOB = "<sip:bob@example.com>";

async void chat_exchange () throws GLib.Error {
    var alice = new Msrp.Chat (ALICE, BOB);
    var bob = new Msrp.Chat (BOB, ALICE);
    var wakeup = new Wakeup ();
    Msrp.ChatMessage[] to_alice = {}, to_bob = {};
    string[] delivered = {}, displayed = {};
    Msrp.IsComposing? composing = null;
    bool bob_ended = false;

    alice.local_uri = new Msrp.Uri ("127.0.0.1", 0, null, false);
    bob.local_uri = new Msrp.Uri ("127.0.0.1", 0, null, false);
    alice.message_received.connect ((c, message) => { to_alice += message; wakeup.wake (); });
    bob.message_received.connect ((c, message) => { to_bob += message; wakeup.wake (); });
    alice.message_delivered.connect ((c, id) => { delivered += id; wakeup.wake (); });
    alice.message_displayed.connect ((c, id) => { displayed += id; wakeup.wake (); });
    bob.composing_indication.connect ((c, indication, sender) => {
        assert_cmpstr (sender, GLib.CompareOperator.EQ, ALICE);
        composing = indication;
        wakeup.wake ();
    });
    bob.ended.connect (() => { bob_ended = true; wakeup.wake (); });
    bob.failed.connect ((c, error) => GLib.error ("Bob failed: %s", error.message));
    alice.failed.connect ((c, error) => GLib.error ("Alice failed: %s", error.message));

    var offer = yield alice.initialize_async (null, null);
    assert_cmpstr (offer.protocol, GLib.CompareOperator.EQ, "TCP/TLS/MSRP");
    assert_true (offer.fingerprint.has_prefix ("sha-256 "));
    var answer = yield bob.initialize_async (Msrp.SdpMedia.parse (offer.to_string ()), null);
    assert_cmpstr (answer.setup, GLib.CompareOperator.EQ, "active");

    /* Both start at once: Alice waits for Bob, who connects. */
    var alice_started = false;
    alice.start_async.begin (Msrp.SdpMedia.parse (answer.to_string ()), null, (obj, res) => {
        try {
            alice_started = alice.start_async.end (res);
        } catch (GLib.Error e) {
            GLib.error ("Alice did not start: %s", e.message);
        }
        wakeup.wake ();
    });
    assert_true (yield bob.start_async (null, null));
    while (!alice_started)
        yield wakeup.wait ();
    assert_true (alice.state == Msrp.StreamState.STARTED);
    assert_true (alice.cpim_enabled);

    var id = alice.send_text ("Hello from Vala");
    while (to_bob.length < 1 || delivered.length < 1)
        yield wakeup.wait ();
    assert_cmpstr (to_bob[0].text, GLib.CompareOperator.EQ, "Hello from Vala");
    assert_cmpstr (to_bob[0].sender, GLib.CompareOperator.EQ, ALICE);
    assert_cmpstr (to_bob[0].get_recipients ()[0], GLib.CompareOperator.EQ, BOB);
    assert_cmpstr (to_bob[0].message_id, GLib.CompareOperator.EQ, id);
    assert_nonnull (to_bob[0].get_cpim ());
    assert_cmpstr (delivered[0], GLib.CompareOperator.EQ, id);

    assert_true (bob.send_display_notification (id));
    while (displayed.length < 1)
        yield wakeup.wait ();
    assert_cmpstr (displayed[0], GLib.CompareOperator.EQ, id);

    var stamp = new GLib.DateTime.utc (2024, 2, 29, 12, 30, 15);
    bob.send_message (new GLib.Bytes ("<p>Hi</p>".data), "text/html", null, stamp);
    while (to_alice.length < 1)
        yield wakeup.wait ();
    assert_cmpstr (to_alice[0].content_type, GLib.CompareOperator.EQ, "text/html");
    assert_cmpstr (to_alice[0].get_text (), GLib.CompareOperator.EQ, "<p>Hi</p>");
    assert_true (to_alice[0].timestamp.equal (stamp));

    assert_true (alice.send_composing_indication ("active", 30));
    while (composing == null)
        yield wakeup.wait ();
    assert_cmpstr (composing.state, GLib.CompareOperator.EQ, "active");

    assert_true (yield alice.end_async (null));
    while (!bob_ended)
        yield wakeup.wait ();
    assert_true (alice.state == Msrp.StreamState.ENDED);
    assert_true (bob.state == Msrp.StreamState.ENDED);
    try {
        alice.send_text ("late");
        GLib.assert_not_reached ();
    } catch (GLib.IOError.CLOSED e) {
    }
}

void test_chat () {
    var loop = new GLib.MainLoop ();
    var timeout = GLib.Timeout.add_seconds (20, () => {
        GLib.error ("the chat did not finish within 20 s");
    });
    chat_exchange.begin ((obj, res) => {
        try {
            chat_exchange.end (res);
        } catch (GLib.Error e) {
            GLib.error ("unexpected error: %s", e.message);
        }
        loop.quit ();
    });
    loop.run ();
    GLib.Source.remove (timeout);
}

/* A push between two file transfers in one process: the SDP as text, the
 * selector's fields, progress notified, the file received whole. */
async void file_push () throws GLib.Error {
    var dir = GLib.DirUtils.make_tmp ("msrp-ft-vala-XXXXXX");
    var source = GLib.File.new_build_filename (dir, "report.pdf");
    var destination = GLib.File.new_build_filename (dir, "received.pdf");
    var data = new uint8[300 * 1024 + 7];
    for (var i = 0; i < data.length; i++)
        data[i] = (uint8) (i * 7 + i / 251);
    source.replace_contents (data, null, false, GLib.FileCreateFlags.NONE, null);

    var wakeup = new Wakeup ();
    var ended = 0;
    int64 last_progress = 0;
    var sender = new Msrp.FileTransfer.push (source, "application/pdf");
    sender.local_uri = new Msrp.Uri ("127.0.0.1", 0, null, false);
    sender.ended.connect (() => { ended++; wakeup.wake (); });
    sender.failed.connect ((t, error) => GLib.error ("the sender failed: %s", error.message));

    var offer = yield sender.initialize_async (null, null);
    assert_true (offer.get_direction () == Msrp.SdpDirection.SENDONLY);
    var selector = offer.get_file_selector ();
    assert_cmpstr (selector.get_name (), GLib.CompareOperator.EQ, "report.pdf");
    assert_cmpstr (selector.get_content_type (), GLib.CompareOperator.EQ, "application/pdf");
    assert_true (selector.get_size () == data.length);
    assert_true (selector.get_hash ().has_prefix ("sha-1:"));
    assert_true (sender.hash_progress == 1.0);

    var receiver = new Msrp.FileTransfer.from_offer (Msrp.SdpMedia.parse (offer.to_string ()), destination);
    receiver.local_uri = new Msrp.Uri ("127.0.0.1", 0, null, false);
    assert_false (receiver.is_sender);
    receiver.notify["bytes-transferred"].connect (() => { last_progress = receiver.bytes_transferred; });
    receiver.ended.connect (() => { ended++; wakeup.wake (); });
    receiver.failed.connect ((t, error) => GLib.error ("the receiver failed: %s", error.message));
    var answer = yield receiver.initialize_async (Msrp.SdpMedia.parse (offer.to_string ()), null);
    assert_true (answer.get_direction () == Msrp.SdpDirection.RECVONLY);

    sender.start_async.begin (Msrp.SdpMedia.parse (answer.to_string ()), null, (obj, res) => {
        try {
            sender.start_async.end (res);
        } catch (GLib.Error e) {
            GLib.error ("the sender did not start: %s", e.message);
        }
    });
    assert_true (yield receiver.start_async (null, null));
    while (ended < 2)
        yield wakeup.wait ();

    uint8[] got;
    destination.load_contents (null, out got, null);
    assert_true (got.length == data.length);
    assert_true (GLib.Memory.cmp (got, data, data.length) == 0);
    assert_true (last_progress == data.length);
    assert_true (sender.get_bytes_transferred () == data.length);
    source.delete ();
    destination.delete ();
    GLib.DirUtils.remove (dir);
}

void test_file_transfer () {
    var loop = new GLib.MainLoop ();
    var timeout = GLib.Timeout.add_seconds (20, () => {
        GLib.error ("the file transfer did not finish within 20 s");
    });
    file_push.begin ((obj, res) => {
        try {
            file_push.end (res);
        } catch (GLib.Error e) {
            GLib.error ("unexpected error: %s", e.message);
        }
        loop.quit ();
    });
    loop.run ();
    GLib.Source.remove (timeout);
}

/* Two tunnels in one process over TLS: the SDP as text with its rfbsetup
 * roles, bytes each way up to EOF, both ended. */
async uint8[] tunnel_read_all (GLib.InputStream input) throws GLib.Error {
    var all = new GLib.ByteArray ();
    for (;;) {
        var bytes = yield input.read_bytes_async (65536, GLib.Priority.DEFAULT, null);
        if (bytes.get_size () == 0)
            break;
        all.append (bytes.get_data ());
    }
    return all.steal ();
}

async void tunnel_exchange () throws GLib.Error {
    var wakeup = new Wakeup ();
    var ended = 0;
    var server = new Msrp.StreamTunnel ("application/x-rfb");
    server.role = Msrp.TunnelRole.PASSIVE;
    server.local_uri = new Msrp.Uri ("127.0.0.1", 0, null, false);
    server.ended.connect (() => { ended++; wakeup.wake (); });
    server.failed.connect ((t, error) => GLib.error ("the server failed: %s", error.message));
    var viewer = new Msrp.StreamTunnel ("application/x-rfb");
    viewer.local_uri = new Msrp.Uri ("127.0.0.1", 0, null, false);
    viewer.ended.connect (() => { ended++; wakeup.wake (); });
    viewer.failed.connect ((t, error) => GLib.error ("the viewer failed: %s", error.message));
    assert_cmpstr (server.content_type, GLib.CompareOperator.EQ, "application/x-rfb");
    assert_nonnull (server.get_stream ());

    var offer = yield server.initialize_async (null, null);
    assert_cmpstr (offer.get_attribute ("rfbsetup"), GLib.CompareOperator.EQ, "passive");
    var answer = yield viewer.initialize_async (Msrp.SdpMedia.parse (offer.to_string ()), null);
    assert_cmpstr (answer.get_attribute ("rfbsetup"), GLib.CompareOperator.EQ, "active");
    assert_true (viewer.role == Msrp.TunnelRole.ACTIVE);

    var server_started = false;
    server.start_async.begin (Msrp.SdpMedia.parse (answer.to_string ()), null, (obj, res) => {
        try {
            server_started = server.start_async.end (res);
        } catch (GLib.Error e) {
            GLib.error ("the server did not start: %s", e.message);
        }
        wakeup.wake ();
    });
    assert_true (yield viewer.start_async (null, null));
    while (!server_started)
        yield wakeup.wait ();

    var screen = new uint8[200 * 1024 + 3];
    for (var i = 0; i < screen.length; i++)
        screen[i] = (uint8) (i * 7 + i / 251);
    var output = server.get_stream ().output_stream;
    size_t written;
    yield output.write_all_async (screen, GLib.Priority.DEFAULT, null, out written);
    assert_true (written == screen.length);
    yield output.close_async (GLib.Priority.DEFAULT, null);
    var got = yield tunnel_read_all (viewer.get_stream ().input_stream);
    assert_true (got.length == screen.length);
    assert_true (GLib.Memory.cmp (got, screen, screen.length) == 0);

    var keys = viewer.get_stream ().output_stream;
    yield keys.write_all_async ("key events".data, GLib.Priority.DEFAULT, null, out written);
    yield keys.close_async (GLib.Priority.DEFAULT, null);
    got = yield tunnel_read_all (server.get_stream ().input_stream);
    assert_true (got.length == 10);
    assert_true (GLib.Memory.cmp (got, "key events".data, 10) == 0);

    assert_true (yield viewer.end_async (null));
    while (ended < 2)
        yield wakeup.wait ();
    assert_true (server.state == Msrp.StreamState.ENDED);
}

void test_stream_tunnel () {
    var loop = new GLib.MainLoop ();
    var timeout = GLib.Timeout.add_seconds (20, () => {
        GLib.error ("the tunnel did not finish within 20 s");
    });
    tunnel_exchange.begin ((obj, res) => {
        try {
            tunnel_exchange.end (res);
        } catch (GLib.Error e) {
            GLib.error ("unexpected error: %s", e.message);
        }
        loop.quit ();
    });
    loop.run ();
    GLib.Source.remove (timeout);
}

int main (string[] args) {
    GLib.Test.init (ref args);
    GLib.Test.add_func ("/vala/uri/parse", test_uri_parse);
    GLib.Test.add_func ("/vala/uri/invalid", test_uri_invalid);
    GLib.Test.add_func ("/vala/chunk/parse", test_chunk_parse);
    GLib.Test.add_func ("/vala/chunk/build", test_chunk_build);
    GLib.Test.add_func ("/vala/chunk/status", test_status);
    GLib.Test.add_func ("/vala/imdn", test_imdn);
    GLib.Test.add_func ("/vala/is-composing", test_is_composing);
    GLib.Test.add_func ("/vala/sdp/media", test_sdp_media);
    GLib.Test.add_func ("/vala/chat", test_chat);
    GLib.Test.add_func ("/vala/file-transfer", test_file_transfer);
    GLib.Test.add_func ("/vala/stream-tunnel", test_stream_tunnel);
    return GLib.Test.run ();
}
