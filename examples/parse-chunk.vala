/* parse-chunk.vala: parse one MSRP chunk and print what is in it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Usage: parse-chunk-vala [FILE]
 *
 * Without FILE it parses the first SEND of RFC 4975 section 7.2 (with the
 * Byte-Range the RFC should have given it: the body is 23 bytes). A FILE must
 * hold one chunk as it goes on the wire, with CRLF line ends.
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

void print_path (string name, GLib.GenericArray<Msrp.Uri>? path) {
    print ("%s:\n", name);
    if (path == null) {
        print ("  (missing or invalid)\n");
        return;
    }
    foreach (unowned Msrp.Uri uri in path.data) {
        print ("  %s\n", uri.to_string ());
        print ("    host %s, port %u, session-id %s\n",
               uri.get_host (), uri.get_port (), uri.get_session_id () ?? "(none)");
    }
}

string range_part (int64 value) {
    return value < 0 ? "*" : value.to_string ();
}

int main (string[] args) {
    if (args.length > 2) {
        printerr ("Usage: %s [FILE]\n", args[0]);
        return 2;
    }

    GLib.Bytes input;
    if (args.length == 2) {
        try {
            uint8[] contents;
            GLib.FileUtils.get_data (args[1], out contents);
            input = new GLib.Bytes (contents);
        } catch (GLib.FileError e) {
            printerr ("%s\n", e.message);
            return 1;
        }
    } else {
        input = new GLib.Bytes (RFC4975_SEND.data);
    }

    Msrp.Chunk chunk;
    size_t consumed;
    try {
        chunk = Msrp.Chunk.parse (input, out consumed);
    } catch (GLib.Error e) {
        printerr ("Cannot parse the chunk: %s\n", e.message);
        return 1;
    }

    if (chunk.is_request ())
        print ("Method: %s\n", chunk.get_method ());
    else
        print ("Response: %u %s\n", chunk.get_code (), chunk.get_comment () ?? "");
    print ("Transaction ID: %s\n", chunk.get_transaction_id ());
    print ("Continuation: %c\n", "$+#"[chunk.get_continuation ()]);

    print ("Headers:\n");
    foreach (unowned string name in chunk.get_header_names ())
        print ("  %s: %s\n", name, chunk.get_header (name));

    print_path ("To-Path", chunk.get_to_path ());
    print_path ("From-Path", chunk.get_from_path ());

    int64 start, end, total;
    chunk.get_byte_range (out start, out end, out total);
    print ("Byte-Range: %s-%s/%s\n", start.to_string (), range_part (end), range_part (total));

    unowned GLib.Bytes? body = chunk.get_data ();
    if (body == null) {
        print ("No body\n");
    } else {
        print ("Body (%zu bytes):\n", body.get_size ());
        stdout.write (body.get_data ());
        print ("\n");
    }

    if (consumed < input.get_size ())
        print ("(%zu more bytes follow the chunk)\n", input.get_size () - consumed);

    /* What a receiver checks before it acts on a request. */
    if (chunk.is_request ()) {
        try {
            chunk.verify_headers ();
        } catch (GLib.Error e) {
            printerr ("A receiver would answer %d: %s\n", e.code, e.message);
            return 1;
        }
    }

    return 0;
}
