// harness.js: what the gjs binding tests share: bounded waits on a main
// loop, assertions, connector pairs, peers that record their signals, and a
// TAP runner
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import GLib from 'gi://GLib';
import System from 'system';

// Every wait is bounded: a test that gets no answer in this time fails.
export const TIMEOUT_SECONDS = 20;

export class AssertionError extends Error {}

export function assert(cond, what) {
    if (!cond)
        throw new AssertionError(what ?? 'assertion failed');
}

export function assertEqual(actual, expected, what) {
    const a = JSON.stringify(actual), e = JSON.stringify(expected);
    if (a !== e)
        throw new AssertionError(`${what ?? 'values differ'}: got ${a}, expected ${e}`);
}

// Runs fn, which must throw a GLib.Error of that domain and code; returns it.
export function assertThrows(fn, domain, code, what) {
    try {
        fn();
    } catch (e) {
        assert(e instanceof GLib.Error, `${what}: not a GLib.Error: ${e}`);
        assertEqual(GLib.quark_to_string(e.domain), GLib.quark_to_string(domain), `${what}: domain`);
        assertEqual(e.code, code, `${what}: code`);
        return e;
    }
    throw new AssertionError(`${what}: no error thrown`);
}

export function describe(result) {
    if (result instanceof GLib.Error)
        return `${GLib.quark_to_string(result.domain)} ${result.code}: ${result.message}`;
    return `${result}`;
}

// Compares a GLib.Bytes with a Uint8Array, without printing 300 KB.
export function assertBytes(bytes, expected, what) {
    assert(bytes instanceof GLib.Bytes, `${what}: a GLib.Bytes, not ${describe(bytes)}`);
    const got = bytes.toArray();
    assertEqual(got.length, expected.length, `${what}: length`);
    for (let i = 0; i < got.length; i++) {
        if (got[i] !== expected[i])
            throw new AssertionError(`${what}: differs at byte ${i}: ${got[i]} != ${expected[i]}`);
    }
}

// UTF-8 text as GLib.Bytes, and back.
export function toBytes(text) {
    return new GLib.Bytes(new TextEncoder().encode(text));
}

export function fromBytes(bytes) {
    return new TextDecoder().decode(bytes.toArray());
}

// size bytes that are not all alike, so a misplaced chunk shows.
export function payload(size) {
    const data = new Uint8Array(size);
    for (let i = 0; i < size; i++)
        data[i] = (i * 7 + Math.floor(i / 251)) & 0xff;
    return data;
}

// One main loop per test. Runs it until every awaited key has a result, or
// throws when TIMEOUT_SECONDS pass first. Results (or the GLib.Error of a
// _finish) are kept by key, and so are signal emissions (set()): an
// exception thrown in a callback or a signal handler would only be logged
// by gjs, so the test checks them afterwards.
export class Waiter {
    constructor() {
        this.loop = new GLib.MainLoop(null, false);
        this.results = new Map();
        this.expected = [];
    }

    set(key, value) {
        this.results.set(key, value);
        if (this.expected.length > 0 && this.expected.every(k => this.results.has(k)))
            this.loop.quit();
    }

    callback(key, finish) {
        return (source, result) => {
            let value;
            try {
                value = finish(source, result);
            } catch (e) {
                value = e;
            }
            this.set(key, value);
        };
    }

    wait(...keys) {
        this.expected = keys;
        let timedOut = false;
        if (!keys.every(k => this.results.has(k))) {
            const id = GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, TIMEOUT_SECONDS, () => {
                timedOut = true;
                this.loop.quit();
                return GLib.SOURCE_REMOVE;
            });
            this.loop.run();
            if (!timedOut)
                GLib.source_remove(id);
        }
        this.expected = [];
        if (timedOut) {
            const missing = keys.filter(k => !this.results.has(k));
            throw new AssertionError(`timed out after ${TIMEOUT_SECONDS} s waiting for ${missing}`);
        }
        return keys.map(k => {
            const r = this.results.get(k);
            this.results.delete(k);
            return r;
        });
    }
}

export const prepareFinish = (connector, result) => connector.prepare_finish(result);
export const completeFinish = (connector, result) => connector.complete_finish(result);
export const writeFinish = (transport, result) => transport.write_chunk_finish(result);
export const readFinish = (transport, result) => transport.read_chunk_finish(result);
export const closeFinish = (transport, result) => transport.close_finish(result);
export const sendMessageFinish = (session, result) => session.send_message_finish(result);
export const sendFileFinish = (session, result) => session.send_file_finish(result);
export const shutdownFinish = (session, result) => session.shutdown_finish(result);

// Prepares both sides at once; gives their full local paths (or the
// GLib.Error of each).
export function preparePair(waiter, acceptor, connector, listenUri = null) {
    acceptor.prepare_async(listenUri, null, waiter.callback('acc', prepareFinish));
    connector.prepare_async(null, null, waiter.callback('con', prepareFinish));
    return waiter.wait('acc', 'con');
}

// Completes both sides at once, each with the remote path given; gives their
// transports (or the GLib.Error of each).
export function completePair(waiter, acceptor, connector, acceptorRemote, connectorRemote) {
    acceptor.complete_async(acceptorRemote, null, waiter.callback('acc', completeFinish));
    connector.complete_async(connectorRemote, null, waiter.callback('con', completeFinish));
    return waiter.wait('acc', 'con');
}

// A session and what its signals brought, in order.
export class Peer {
    constructor(name, session, waiter) {
        this.name = name;
        this.session = session;
        this.chunks = [];     // chunk-received: Msrp.Chunk
        this.messages = [];   // message-received: [first_chunk, GLib.Bytes]
        this.reports = [];    // report-received: Msrp.Chunk
        this.closed = [];     // closed: GLib.Error or null
        this.events = [];     // the names of the signals, in order
        session.connect('chunk-received', (s, chunk) => {
            this.chunks.push(chunk);
            this.events.push('chunk-received');
        });
        session.connect('message-received', (s, firstChunk, data) => {
            this.messages.push([firstChunk, data]);
            this.events.push('message-received');
            waiter.set(`${name}-message${this.messages.length}`, true);
        });
        session.connect('report-received', (s, report) => {
            this.reports.push(report);
            this.events.push('report-received');
            waiter.set(`${name}-report${this.reports.length}`, true);
        });
        session.connect('closed', (s, error) => {
            this.closed.push(error);
            this.events.push('closed');
            waiter.set(`${name}-closed`, error);
        });
    }
}

const tests = [];

// Registers a test: fn (waiter, peers) runs with a fresh Waiter; the
// sessions of the peers it pushes are shut down after it.
export function test(name, fn) {
    tests.push({name, fn});
}

// Both ends shut down, whatever the test left; a session already closed
// finishes at once.
function shutdownAll(waiter, peers) {
    const keys = peers.map(peer => {
        const key = `${peer.name}-shutdown-teardown`;
        peer.session.shutdown_async(null, waiter.callback(key, shutdownFinish));
        return key;
    });
    if (keys.length > 0)
        waiter.wait(...keys);
}

export function run() {
    let failed = 0;
    tests.forEach(({name, fn}, i) => {
        const waiter = new Waiter();
        const peers = [];
        let error = null;
        try {
            fn(waiter, peers);
        } catch (e) {
            error = e;
        }
        try {
            shutdownAll(waiter, peers);
        } catch (e) {
            error ??= e;
        }
        if (error === null) {
            print(`ok ${i + 1} - ${name}`);
        } else {
            failed++;
            print(`not ok ${i + 1} - ${name}`);
            for (const line of `${error}\n${error.stack ?? ''}`.trimEnd().split('\n'))
                print(`# ${line}`);
        }
    });
    print(`1..${tests.length}`);
    System.exit(failed > 0 ? 1 : 0);
}
