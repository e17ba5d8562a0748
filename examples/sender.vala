/* sender.vala: the active end of an MSRP session. It connects to a
 * receiver's path, sends a text message and, if given one, a file, each with
 * a request for a success REPORT; it prints what happens and exits once the
 * receiver has ended the session.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Usage: sender-vala PATH [FILE]
 *
 * PATH is what the receiver printed after "a=path:", for instance
 *   ./sender-vala 'msrp://127.0.0.1:40321/2b8d8a3f2f5e4b7c;tcp'
 */

MainLoop loop;
Msrp.Session chat;    /* our session with the peer */
bool all_sent = false;
int exit_status = 0;

void fail (string message) {
    printerr ("sender: %s\n", message);
    exit_status = 1;
    loop.quit ();
}

/* A message body is bytes, not a NUL-terminated string. */
string text_of (Bytes data) {
    return ((string) data.get_data ()).substring (0, (long) data.get_size ());
}

async void run (GenericArray<Msrp.Uri> remote_path, string? file_name) {
    try {
        /* The active side connects (Msrp.get_connector (relay) would go
         * through an RFC 4976 relay instead). null: any local URI will do. */
        var connector = Msrp.get_connector (null);
        /* Our local path would go into our SDP; the receiver here takes
         * anyone. Connect to the receiver and bind the connection to its
         * session. */
        yield connector.prepare_async (null, null);
        var transport = yield connector.complete_async (remote_path, null);
        print ("connected\n");

        chat = new Msrp.Session (transport, null);
        /* Ask for a success REPORT on everything we send: sending then
         * completes only when the receiver has confirmed the whole message. */
        chat.success_report = true;
        chat.message_received.connect ((first_chunk, data) => {
            print ("answer: %s\n", text_of (data));
        });
        chat.report_received.connect ((report) => {
            /* The receiver confirms that the whole message arrived: Status 000 200. */
            uint code;
            unowned string? comment;
            report.get_status (out code, out comment);
            print ("REPORT for %s: %u %s\n", report.get_message_id (), code, comment ?? "");
        });
        chat.closed.connect ((error) => {
            if (error != null)
                fail (error.message);
            else if (!all_sent)
                fail ("the receiver ended the session too early");
            else {
                print ("the receiver ended the session\n");
                loop.quit ();
            }
        });

        /* It completes once every chunk got its 200 and the REPORT came. */
        var message_id = yield chat.send_message_async (new Bytes ("Hello from Vala".data),
                                                        "text/plain", null);
        print ("sent message %s\n", message_id);

        if (file_name != null) {
            /* A file is streamed chunk by chunk; null: guess its type. */
            var file = new Msrp.OutgoingFile.for_file (File.new_for_commandline_arg (file_name), null);
            yield chat.send_file_async (file, null);
            print ("sent file %s (%" + int64.FORMAT + " bytes) as %s\n",
                   file_name, file.get_size (), file.get_message_id ());
        }
        /* Now wait for the receiver's answers and for it to end the session. */
        all_sent = true;
    } catch (Error e) {
        fail (e.message);
    }
}

int main (string[] args) {
    if (args.length < 2 || args.length > 3) {
        printerr ("usage: %s PATH [FILE]\n", args[0]);
        return 1;
    }
    GenericArray<Msrp.Uri> remote_path;
    try {
        /* The receiver's path, as its SDP would give it. */
        remote_path = Msrp.path_parse (args[1]);
    } catch (Error e) {
        printerr ("sender: %s\n", e.message);
        return 1;
    }
    loop = new MainLoop ();
    run.begin (remote_path, args.length > 2 ? args[2] : null);
    loop.run ();
    return exit_status;
}
