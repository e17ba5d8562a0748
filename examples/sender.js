#!/usr/bin/env -S gjs -m
// sender.js: the active end of an MSRP session. It connects to a receiver's
// path, sends a text message and, if given one, a file, each with a request
// for a success REPORT; it prints what happens and exits once the receiver
// has ended the session.
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Usage: gjs -m sender.js PATH [FILE]
//
// PATH is what the receiver printed after "a=path:", for instance
//   gjs -m sender.js 'msrp://127.0.0.1:40321/2b8d8a3f2f5e4b7c;tcp'

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Msrp from 'gi://Msrp?version=1.0';
import System from 'system';

if (ARGV.length < 1 || ARGV.length > 2) {
    printerr('usage: gjs -m sender.js PATH [FILE]');
    System.exit(1);
}
const remotePath = Msrp.path_parse(ARGV[0]);  // the receiver's path, as its SDP would give it
const fileName = ARGV[1] ?? null;
const loop = new GLib.MainLoop(null, false);
let session = null;
let allSent = false;
let status = 0;

function fail(message) {
    printerr(`sender: ${message}`);
    status = 1;
    loop.quit();
}

function onPrepared(connector, result) {
    try {
        connector.prepare_finish(result);
    } catch (e) {
        return fail(e.message);
    }
    // Our local path would go into our SDP; the receiver here takes anyone.
    // Connect to the receiver and bind the connection to its session.
    connector.complete_async(remotePath, null, onConnected);
}

function onConnected(connector, result) {
    let transport;
    try {
        transport = connector.complete_finish(result);
    } catch (e) {
        return fail(e.message);
    }
    print('connected');
    session = Msrp.Session.new(transport, null);
    // Ask for a success REPORT on everything we send: sending then completes
    // only when the receiver has confirmed the whole message.
    session.set_success_report(true);
    session.connect('message-received', (s, firstChunk, data) => {
        print(`answer: ${new TextDecoder().decode(data.toArray())}`);
    });
    session.connect('report-received', (s, report) => {
        // The receiver confirms that the whole message arrived: Status 000 200.
        const [hasStatus, code, comment] = report.get_status();
        print(`REPORT for ${report.get_message_id()}: ${code} ${comment ?? ''}`);
    });
    session.connect('closed', (s, error) => {
        if (error !== null)
            return fail(error.message);
        if (!allSent)
            return fail('the receiver ended the session too early');
        print('the receiver ended the session');
        loop.quit();
    });
    const text = new TextEncoder().encode('Hello from JavaScript');
    session.send_message_async(new GLib.Bytes(text), 'text/plain', null, onMessageSent);
}

function onMessageSent(s, result) {
    let messageId;
    try {
        // It completes once every chunk got its 200 and the REPORT came.
        messageId = s.send_message_finish(result);
    } catch (e) {
        return fail(e.message);
    }
    print(`sent message ${messageId}`);
    if (fileName === null) {
        allSent = true;
        return;
    }
    // A file is streamed chunk by chunk; null: guess its type.
    let file;
    try {
        file = Msrp.OutgoingFile.new_for_file(Gio.File.new_for_commandline_arg(fileName), null);
    } catch (e) {
        return fail(e.message);
    }
    s.send_file_async(file, null, (s2, res) => {
        try {
            s2.send_file_finish(res);
        } catch (e) {
            return fail(e.message);
        }
        print(`sent file ${fileName} (${file.get_size()} bytes) as ${file.get_message_id()}`);
        // Now wait for the receiver's answer and for it to end the session.
        allSent = true;
    });
}

// The active side connects (Msrp.get_connector(relay) would go through an
// RFC 4976 relay instead). null: any local URI will do.
const connector = Msrp.get_connector(null);
connector.prepare_async(null, null, onPrepared);
loop.run();
System.exit(status);
