/* receiver.vala: the passive end of an MSRP session. It listens on 127.0.0.1,
 * prints its path, waits for a peer, prints each message that arrives and
 * answers it; after N messages it ends the session and exits.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Usage: receiver-vala [N]      (N: how many messages to wait for, default 1)
 *
 * The first line it prints is its path, the way the SDP attribute a=path
 * would carry it; give it to a sender (sender-vala, sender.py, ...).
 */

MainLoop loop;
Msrp.Session chat;    /* our session with the peer */
int expected = 1;     /* messages to wait for */
int answered = 0;     /* answers the sender has acknowledged */
int exit_status = 0;

void fail (Error error) {
    printerr ("receiver: %s\n", error.message);
    exit_status = 1;
    loop.quit ();
}

/* A message body is bytes, not a NUL-terminated string. */
string text_of (Bytes data) {
    return ((string) data.get_data ()).substring (0, (long) data.get_size ());
}

async void answer (Msrp.Chunk first_chunk, Bytes data) {
    /* Answer with a message of our own: either side may send at any time. */
    var text = "got %zu bytes of %s".printf (data.get_size (), first_chunk.get_content_type ());
    try {
        yield chat.send_message_async (new Bytes (text.data), "text/plain", null);
    } catch (Error e) {
        fail (e);
        return;
    }
    /* The last answer went through: end the session. Shutting down sends
     * whatever is still queued, closes the connection, then emits closed. */
    if (++answered == expected)
        chat.shutdown_async.begin (null);
}

async void run () {
    /* The passive side listens (Msrp.get_acceptor (relay) would go through
     * an RFC 4976 relay instead). Port 0: any free port, which the path will
     * name. null as session-id: a random one. */
    var acceptor = Msrp.get_acceptor (null);
    try {
        var path = yield acceptor.prepare_async (new Msrp.Uri ("127.0.0.1", 0, null, false), null);
        /* Our full path. In real life it goes into our SDP (a=path); here the
         * user copies it to the sender. Flushed: a script may be reading it. */
        print ("a=path:%s\n", Msrp.path_to_string (path));
        stdout.flush ();

        /* Wait for a peer. null: take whoever binds our path first (with SDP
         * we would pass the peer's a=path, and nobody else would get in). */
        var transport = yield acceptor.complete_async (null, null);
        print ("peer %s\n", Msrp.path_to_string (transport.get_full_remote_path ()));
        stdout.flush ();

        /* The session does the protocol: it answers, reassembles and reports. */
        chat = new Msrp.Session (transport, null);   /* null: accept any type */
    } catch (Error e) {
        fail (e);
        return;
    }
    chat.message_received.connect ((first_chunk, data) => {
        /* The session has checked, acknowledged (200) and put the message
         * together; it has also sent the REPORT when the sender asked for one. */
        var content_type = first_chunk.get_content_type ();
        if (content_type == "text/plain")
            print ("received %s (%zu bytes): %s\n", content_type, data.get_size (), text_of (data));
        else
            print ("received %s (%zu bytes)\n", content_type, data.get_size ());
        stdout.flush ();
        answer.begin (first_chunk, data);
    });
    chat.closed.connect ((error) => {
        /* null: a clean end, ours (shutdown) or the peer's. */
        if (error != null)
            fail (error);
        else
            loop.quit ();
    });
}

int main (string[] args) {
    if (args.length > 2 || (args.length == 2 && (expected = int.parse (args[1])) < 1)) {
        printerr ("usage: %s [N]\n", args[0]);
        return 1;
    }
    loop = new MainLoop ();
    run.begin ();
    loop.run ();
    return exit_status;
}
