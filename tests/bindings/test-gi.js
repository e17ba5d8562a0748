// test-gi.js: the Msrp typelib from JavaScript (gjs)
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Run with `gjs -m test-gi.js` against the built typelib: set GI_TYPELIB_PATH
// and LD_LIBRARY_PATH to the build's msrp-glib directory (meson test does).
// Prints TAP.

import GIRepository from 'gi://GIRepository?version=2.0';
import GLib from 'gi://GLib';
import Msrp from 'gi://Msrp?version=1.0';
import System from 'system';

import {assert, assertEqual, assertThrows, fromBytes, run, test, toBytes} from './harness.js';

// The first SEND of RFC 4975 section 7.2, with the Byte-Range of its 23-byte
// body.
const RFC4975_SEND =
    'MSRP a786hjs2 SEND\r\n' +
    'To-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r\n' +
    'From-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\r\n' +
    'Message-ID: 87652491\r\n' +
    'Byte-Range: 1-23/23\r\n' +
    'Content-Type: text/plain\r\n' +
    '\r\n' +
    'Hey Bob, are you there?\r\n' +
    '-------a786hjs2$\r\n';

// The REPORT of RFC 4975 section 7.1.2.
const RFC4975_REPORT =
    'MSRP dkei38sd REPORT\r\n' +
    'To-Path: msrp://alice.example.com:7777/iau39soe2843z;tcp\r\n' +
    'From-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\r\n' +
    'Message-ID: 12339sdqwer\r\n' +
    'Byte-Range: 1-106/106\r\n' +
    'Status: 000 200 OK\r\n' +
    '-------dkei38sd$\r\n';

// msrp_path_parse() must give the caller the array but not a second
// reference to its elements (the array's free function owns those). With
// (transfer full), gjs unrefs every URI twice and crashes, so the tests that
// call path_parse() need the right annotation.
const PATH_PARSE_OK = GIRepository.callable_info_get_caller_owns(
    GIRepository.Repository.get_default().find_by_name('Msrp', 'path_parse')) ===
    GIRepository.Transfer.CONTAINER;

function makePath(...uris) {
    return uris.map(u => Msrp.Uri.parse(u));
}

function buildSend() {
    const chunk = Msrp.Chunk.new_request('SEND', 'a786hjs2');
    // Set in a scrambled order: the chunk keeps wire order.
    chunk.set_content_type('text/plain');
    chunk.set_message_id('87652491');
    chunk.set_from_path(makePath('msrp://atlanta.example.com:7654/jshA7weztas;tcp'));
    chunk.set_to_path(makePath('msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp'));
    chunk.set_byte_range(1, 23, 23);
    chunk.set_data(toBytes('Hey Bob, are you there?'));
    return chunk;
}

test('uri: parse', () => {
    const uri = Msrp.Uri.parse('msrp://alice.example.com:7394/2s93i93idj;tcp');
    assert(uri instanceof Msrp.Uri, 'an Msrp.Uri');
    assertEqual(uri.get_host(), 'alice.example.com', 'host');
    assertEqual(uri.get_port(), 7394, 'port');
    assertEqual(uri.get_session_id(), '2s93i93idj', 'session-id');
    assertEqual(uri.get_transport(), 'tcp', 'transport');
    assertEqual(uri.get_use_tls(), false, 'use-tls');
    assertEqual(uri.get_user(), null, 'user');
    assertEqual(uri.to_string(), 'msrp://alice.example.com:7394/2s93i93idj;tcp', 'to_string');
});

test('uri: properties', () => {
    const uri = Msrp.Uri.parse('msrps://bob@example.com/s1;tcp');
    assertEqual([uri.host, uri.port, uri.user, uri.session_id, uri.transport, uri.use_tls],
        ['example.com', 0, 'bob', 's1', 'tcp', true], 'properties');
});

test('uri: IPv6', () => {
    const uri = Msrp.Uri.parse('MSRPS://[2001:DB8::1]:2855/sEss;TCP');
    assertEqual(uri.get_host(), '2001:DB8::1', 'host');
    assertEqual(uri.get_port(), 2855, 'port');
    assertEqual(uri.get_use_tls(), true, 'use-tls');
    assertEqual(uri.to_string(), 'msrps://[2001:DB8::1]:2855/sEss;tcp', 'to_string');
});

test('uri: user part', () => {
    const uri = Msrp.Uri.parse('msrp://alice%20smith@example.com/s1;tcp');
    assertEqual(uri.get_user(), 'alice smith', 'user');
    assertEqual(uri.to_string(), 'msrp://alice%20smith@example.com/s1;tcp', 'to_string');
});

test('uri: parameters', () => {
    const uri = Msrp.Uri.parse('msrp://example.com/s1;tcp;foo=bar;baz');
    assertEqual(uri.get_parameter('FOO'), 'bar', 'foo');
    assertEqual(uri.get_parameter('baz'), '', 'baz');
    assertEqual(uri.get_parameter('nope'), null, 'nope');
    assertEqual(uri.get_parameter_names(), ['foo', 'baz'], 'names');
});

test('uri: new', () => {
    const uri = Msrp.Uri.new('2001:db8::5', 2855, 'abc', true);
    assertEqual(uri.to_string(), 'msrps://[2001:db8::5]:2855/abc;tcp', 'to_string');
    const a = Msrp.Uri.new('192.0.2.1', 0, null, false);
    const b = Msrp.Uri.new('192.0.2.1', 0, null, false);
    assert(a.get_session_id().length > 0, 'a random session-id');
    assert(a.get_session_id() !== b.get_session_id(), 'different random session-ids');
});

test('uri: equal', () => {
    const a = Msrp.Uri.parse('msrp://Alice.Example.COM:7394/2s93i93idj;tcp');
    const b = Msrp.Uri.parse('MSRP://someone@alice.example.com:7394/2s93i93idj;TCP;x=y');
    assert(a.equal(b), 'equal');
    assert(Msrp.Uri.prototype.equal.call(b, a), 'equal, the other way');
    assertEqual(a.hash(), b.hash(), 'hash');
    assert(!a.equal(Msrp.Uri.parse('msrp://alice.example.com:7394/2S93I93IDJ;tcp')),
        'the session-id is case-sensitive');
    assert(!Msrp.Uri.parse('msrp://h.example.com:2855/s;tcp').equal(Msrp.Uri.parse('msrp://h.example.com/s;tcp')),
        'an explicit port never equals an absent one');
});

test('uri: invalid', () => {
    for (const bad of ['http://example.com/s;tcp', 'msrp://example.com/s', 'msrp://[::1/s;tcp', '']) {
        const e = assertThrows(() => Msrp.Uri.parse(bad), Msrp.error_quark(), Msrp.Error.INVALID_URI, bad);
        assert(e.matches(Msrp.Error, Msrp.Error.INVALID_URI), `${bad}: matches`);
        assertEqual(GLib.quark_to_string(e.domain), 'msrp-error-quark', `${bad}: domain name`);
        assert(e.message.includes('Invalid MSRP URI'), `${bad}: message`);
    }
});

test('path: path_parse transfers the container only', () => {
    assert(PATH_PARSE_OK,
        'msrp_path_parse() must be annotated (transfer container): the array unrefs its ' +
        'URIs itself, so (transfer full) makes bindings unref them twice');
});

test('path: parse', () => {
    const path = Msrp.path_parse('msrp://relay.example.com;tcp  msrp://bob.example.com:8888/9di4eae923wzd;tcp');
    System.gc();
    assert(Array.isArray(path), 'an array');
    assertEqual(path.length, 2, 'length');
    assert(path.every(u => u instanceof Msrp.Uri), 'of Msrp.Uri');
    assertEqual(path[0].get_host(), 'relay.example.com', 'first hop');
    assertEqual(path[0].get_session_id(), null, 'a relay has no session-id');
    assertEqual(path[1].get_session_id(), '9di4eae923wzd', 'session-id');
    assertEqual(Msrp.path_to_string(path),
        'msrp://relay.example.com;tcp msrp://bob.example.com:8888/9di4eae923wzd;tcp', 'to_string');
    assert(Msrp.path_equal(path, makePath('msrp://RELAY.example.com;tcp',
        'msrp://bob.example.com:8888/9di4eae923wzd;tcp')), 'path_equal');
    assert(!Msrp.path_equal(path, path.slice(0, 1)), 'not path_equal');
});

test('path: to_string', () => {
    assertEqual(Msrp.path_to_string(makePath('msrp://a.example.com:1/x;tcp', 'msrps://[::1]/y;tcp')),
        'msrp://a.example.com:1/x;tcp msrps://[::1]/y;tcp', 'to_string');
});

test('path: invalid', () => {
    assertThrows(() => Msrp.path_parse(''), Msrp.error_quark(), Msrp.Error.INVALID_URI, 'empty');
    const e = assertThrows(() => Msrp.path_parse('msrp://a.example.com/s;tcp msrp://b.example.com/s'),
        Msrp.error_quark(), Msrp.Error.INVALID_URI, 'second URI');
    assert(e.message.includes('URI 2 of the path'), 'message names the URI');
});

test('chunk: encode SEND', () => {
    const chunk = buildSend();
    assert(chunk.is_request(), 'a request');
    assertEqual(chunk.get_method(), 'SEND', 'method');
    assertEqual(chunk.get_size(), 23, 'size');
    assertEqual(fromBytes(chunk.encode()), RFC4975_SEND, 'bytes');
    assert(chunk.verify_headers(), 'verify_headers');
});

test('chunk: encode response', () => {
    const response = Msrp.Chunk.new_response('a786hjs2', Msrp.Status.OK, null);
    response.set_to_path(makePath('msrp://atlanta.example.com:7654/jshA7weztas;tcp'));
    response.set_from_path(makePath('msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp'));
    assert(!response.is_request(), 'a response');
    assertEqual(response.get_method(), null, 'method');
    assertEqual([response.get_code(), response.get_comment()], [200, 'OK'], 'code and comment');
    assertEqual(fromBytes(response.encode()),
        'MSRP a786hjs2 200 OK\r\n' +
        'To-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\r\n' +
        'From-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r\n' +
        '-------a786hjs2$\r\n', 'bytes');
});

test('chunk: parse', () => {
    const [chunk, consumed] = Msrp.Chunk.parse(toBytes(`${RFC4975_SEND}MSRP next SEND\r\n`));
    assert(chunk instanceof Msrp.Chunk, 'an Msrp.Chunk');
    assertEqual(consumed, RFC4975_SEND.length, 'consumed');
    assertEqual(chunk.get_method(), 'SEND', 'method');
    assertEqual(chunk.get_transaction_id(), 'a786hjs2', 'transaction id');
    assertEqual(chunk.get_continuation(), Msrp.Continuation.END, 'continuation');
    assertEqual(chunk.get_header_names(),
        ['To-Path', 'From-Path', 'Message-ID', 'Byte-Range', 'Content-Type'], 'header names');
    assertEqual(chunk.get_header('message-id'), '87652491', 'get_header');
    assertEqual(chunk.get_message_id(), '87652491', 'Message-ID');
    assertEqual(chunk.get_content_type(), 'text/plain', 'Content-Type');
    assertEqual(fromBytes(chunk.get_data()), 'Hey Bob, are you there?', 'body');

    const toPath = chunk.get_to_path();
    assertEqual(toPath.length, 1, 'To-Path length');
    assertEqual([toPath[0].get_host(), toPath[0].get_port(), toPath[0].get_session_id()],
        ['biloxi.example.com', 12763, 'kjhd37s2s20w2a'], 'To-Path URI');
    assertEqual(chunk.get_from_path()[0].get_session_id(), 'jshA7weztas', 'From-Path session-id');

    assertEqual(fromBytes(chunk.encode()), RFC4975_SEND, 'encodes back the same');
});

test('chunk: continuation', () => {
    const [chunk] = Msrp.Chunk.parse(toBytes(RFC4975_SEND.replace('a786hjs2$', 'a786hjs2+')));
    assertEqual(chunk.get_continuation(), Msrp.Continuation.MORE, 'MORE');
    chunk.set_continuation(Msrp.Continuation.ABORT);
    assert(fromBytes(chunk.encode()).endsWith('-------a786hjs2#\r\n'), 'ABORT written');
});

test('chunk: parse errors', () => {
    assertThrows(() => Msrp.Chunk.parse(toBytes(RFC4975_SEND.slice(0, -10))),
        Msrp.error_quark(), Msrp.Error.INCOMPLETE_CHUNK, 'incomplete');
    assertThrows(() => Msrp.Chunk.parse(toBytes('HTTP/1.1 200 OK\r\n\r\n')),
        Msrp.error_quark(), Msrp.Error.MALFORMED_CHUNK, 'not MSRP');
    assertThrows(() => Msrp.Chunk.parse(toBytes('MSRP abc SEND\r\nnot a header\r\n-------abc$\r\n')),
        Msrp.error_quark(), Msrp.Error.MALFORMED_CHUNK, 'bad header line');
});

test('chunk: byte range', () => {
    const chunk = buildSend();
    assertEqual(chunk.get_byte_range(), [true, 1, 23, 23], 'get_byte_range');
    chunk.set_byte_range(4097, -1, -1);
    assertEqual(chunk.get_header('Byte-Range'), '4097-*/*', 'header');
    assertEqual(chunk.get_byte_range(), [true, 4097, -1, -1], 'unknown end and total');
    assert(chunk.remove_header('byte-range'), 'removed');
    assertEqual(chunk.get_byte_range(), [false, 1, -1, -1], 'no header');
});

test('chunk: status', () => {
    const [report] = Msrp.Chunk.parse(toBytes(RFC4975_REPORT));
    assertEqual(report.get_method(), 'REPORT', 'method');
    assertEqual(report.get_status(), [true, 200, 'OK'], 'get_status');
    assert(report.verify_headers(), 'verify_headers');
    report.set_status(Msrp.Status.STOP_SENDING, null);
    assertEqual(report.get_header('Status'), '000 413 Stop Sending', 'header');
    assertEqual(report.get_status(), [true, 413, 'Stop Sending'], 'set_status');
    assertEqual(buildSend().get_status(), [false, 0, null], 'no Status');
});

test('chunk: auth params', () => {
    const response = Msrp.Chunk.new_response('x1', Msrp.Status.UNAUTHORIZED, null);
    response.set_www_authenticate('Digest realm="example.com", nonce="dcd98b\\"7102", qop="auth"');
    const [params, scheme] = response.get_auth_params('WWW-Authenticate');
    assertEqual(scheme, 'Digest', 'scheme');
    assertEqual([params.realm, params.nonce, params.qop], ['example.com', 'dcd98b"7102', 'auth'], 'params');
    assertEqual(Object.keys(params).sort(), ['nonce', 'qop', 'realm'], 'names');
    assertEqual(response.get_auth_params('Authorization'), [null, null], 'no header');
});

test('chunk: headers', () => {
    const chunk = buildSend();
    chunk.set_header('X-Extension', 'one');
    chunk.add_header('X-Extension', 'two');
    assertEqual(chunk.get_header('x-extension'), 'one', 'first value');
    assertEqual(chunk.get_header_names(), ['To-Path', 'From-Path', 'Message-ID', 'Byte-Range',
        'X-Extension', 'X-Extension', 'Content-Type'], 'wire order');
    assert(chunk.remove_header('X-EXTENSION'), 'removed');
    assertEqual(chunk.get_header('X-Extension'), null, 'gone');
});

test('chunk: verify_headers', () => {
    const chunk = buildSend();
    chunk.set_message_id(null);
    const e = assertThrows(() => chunk.verify_headers(), Msrp.TransactionError.quark(), 400,
        'no Message-ID');
    // The exported error domain, not its quark's string.
    assert(e.matches(Msrp.TransactionError, Msrp.TransactionError.BAD_REQUEST), 'matches');
    assertEqual(e.code, Msrp.Status.BAD_REQUEST, 'BAD_REQUEST');
    assert(e.message.includes('Message-ID'), 'message names the header');
});

test('status: reasons', () => {
    assertEqual(Msrp.Status.get_reason(Msrp.Status.SESSION_DOES_NOT_EXIST), 'Session Does Not Exist', '481');
    assertEqual(Msrp.Status.get_reason(299), null, 'unknown');
});

test('imdn: build and parse', () => {
    const imdn = Msrp.Imdn.new(Msrp.ImdnKind.DISPLAY, '34jk324j', null);
    imdn.set_datetime(GLib.DateTime.new_utc(2008, 4, 4, 17, 16, 49));
    imdn.recipient_uri = 'im:bob@example.com';
    const xml = fromBytes(imdn.to_bytes());
    assert(xml.includes('<imdn xmlns="urn:ietf:params:xml:ns:imdn">'), 'namespace');
    assert(xml.includes('<datetime>2008-04-04T17:16:49Z</datetime>'), 'datetime');
    assert(xml.includes('<displayed/>'), 'status');

    assertEqual(Msrp.Imdn.parse(imdn.to_bytes()).status, 'displayed', 'round trip');

    // the namespace under a prefix of the sender's choice
    const parsed = Msrp.Imdn.parse(toBytes(
        '<x:imdn xmlns:x="urn:ietf:params:xml:ns:imdn"><x:message-id>34jk324j</x:message-id>' +
        '<x:datetime>2008-04-04T12:16:49-05:00</x:datetime>' +
        '<x:recipient-uri>im:bob@example.com</x:recipient-uri>' +
        '<x:display-notification><x:status><x:displayed/></x:status></x:display-notification></x:imdn>'));
    assertEqual([parsed.kind, parsed.status, parsed.message_id, parsed.recipient_uri],
        [Msrp.ImdnKind.DISPLAY, 'displayed', '34jk324j', 'im:bob@example.com'], 'prefixed');
    assertEqual(parsed.get_datetime().to_unix(), 1207329409, 'datetime');
    assert(Msrp.ImdnKind.has_status(Msrp.ImdnKind.DELIVERY, 'forbidden'), 'has_status');
    assertEqual([Msrp.IMDN_NAMESPACE, Msrp.IMDN_CONTENT_TYPE],
        ['urn:ietf:params:imdn', 'message/imdn+xml'], 'constants');
});

test('imdn: refusals', () => {
    const e = assertThrows(() => Msrp.Imdn.parse(toBytes(
        '<!DOCTYPE imdn [<!ENTITY x "y">]><imdn xmlns="urn:ietf:params:xml:ns:imdn"/>')),
    Msrp.error_quark(), Msrp.Error.MALFORMED_XML, 'DOCTYPE');
    assert(e.message.includes('DOCTYPE'), 'message names it');
    assertThrows(() => Msrp.Imdn.parse(toBytes('<imdn xmlns="urn:ietf:params:xml:ns:imdn">' +
        '<delivery-notification><status><delivered/></status></delivery-notification></imdn>')),
    Msrp.error_quark(), Msrp.Error.MALFORMED_XML, 'no message-id');
});

test('is-composing: build and parse', () => {
    const ic = Msrp.IsComposing.new('active', 'text/plain', 90);
    const parsed = Msrp.IsComposing.parse(ic.to_bytes());
    assertEqual([parsed.state, parsed.content_type, parsed.refresh, parsed.last_active],
        ['active', 'text/plain', 90, null], 'round trip');
    assertEqual(Msrp.IS_COMPOSING_CONTENT_TYPE, 'application/im-iscomposing+xml', 'constant');
    assertThrows(() => Msrp.IsComposing.parse(toBytes(
        '<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>typing</state></isComposing>')),
    Msrp.error_quark(), Msrp.Error.MALFORMED_XML, 'bad state');
});

run();
