// msrp.js: a small MSRP client for browsers, over a WebSocket (RFC 7977)
// to an RFC 4976 relay: chunk framing, Digest AUTH, SEND, 200 and REPORT.
// A fixture of the browser test and the page of examples/web-chat, kept
// plain (no build step, no modules) so that a reader sees the protocol.
//
// SPDX-License-Identifier: LGPL-2.1-or-later

'use strict';

var Msrp = (function () {
  // MD5 (RFC 1321) of a string's UTF-8 bytes, as hex: Digest needs it and
  // SubtleCrypto has no MD5.
  const S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
  const K = [];
  for (let i = 0; i < 64; i++)
    K.push(Math.floor(Math.abs(Math.sin(i + 1)) * 4294967296) >>> 0);

  function md5(text) {
    const data = new TextEncoder().encode(text);
    const length = ((data.length + 8) >>> 6 << 6) + 64;
    const bytes = new Uint8Array(length);
    bytes.set(data);
    bytes[data.length] = 0x80;
    const view = new DataView(bytes.buffer);
    view.setUint32(length - 8, (data.length * 8) >>> 0, true);
    view.setUint32(length - 4, Math.floor(data.length / 0x20000000), true);

    let a0 = 0x67452301, b0 = 0xefcdab89, c0 = 0x98badcfe, d0 = 0x10325476;
    for (let block = 0; block < length; block += 64) {
      let a = a0, b = b0, c = c0, d = d0;
      for (let i = 0; i < 64; i++) {
        let f, g;
        if (i < 16) { f = (b & c) | (~b & d); g = i; }
        else if (i < 32) { f = (d & b) | (~d & c); g = (5 * i + 1) % 16; }
        else if (i < 48) { f = b ^ c ^ d; g = (3 * i + 5) % 16; }
        else { f = c ^ (b | ~d); g = (7 * i) % 16; }
        const s = S[(i >> 4) * 4 + (i % 4)];
        f = (f + a + K[i] + view.getUint32(block + g * 4, true)) | 0;
        a = d; d = c; c = b;
        b = (b + ((f << s) | (f >>> (32 - s)))) | 0;
      }
      a0 = (a0 + a) | 0; b0 = (b0 + b) | 0; c0 = (c0 + c) | 0; d0 = (d0 + d) | 0;
    }
    let hex = '';
    for (const word of [a0, b0, c0, d0])
      for (let i = 0; i < 4; i++)
        hex += ((word >>> (8 * i)) & 0xff).toString(16).padStart(2, '0');
    return hex;
  }

  // Random ids from the browser's CSPRNG: transaction ids, message ids,
  // session ids and the Digest cnonce must not be guessable.
  function randomId(length = 16) {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
    const bytes = crypto.getRandomValues(new Uint8Array(length));
    return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
  }

  function utf8Length(text) {
    return new TextEncoder().encode(text).length;
  }

  // One chunk as text: the start line, header lines, the body if any, and
  // the end-line with its continuation flag (RFC 4975 section 7.1).
  function encode(tid, start, headers, body = null, flag = '$') {
    let text = `MSRP ${tid} ${start}\r\n`;
    for (const [name, value] of headers)
      text += `${name}: ${value}\r\n`;
    if (body !== null)
      text += `\r\n${body}\r\n`;
    return text + `-------${tid}${flag}\r\n`;
  }

  // A chunk from one WebSocket message (RFC 7977 section 5.1: one chunk
  // per message). Headers are kept by lower-case name.
  function parse(text) {
    const lineEnd = text.indexOf('\r\n');
    const start = /^MSRP ([A-Za-z0-9][A-Za-z0-9.+%=-]{3,31}) (\S+)(?: (.*))?$/.exec(text.slice(0, lineEnd));
    if (lineEnd < 0 || !start)
      throw new Error('not an MSRP chunk');
    const tid = start[1];
    const endLine = new RegExp(`\r\n-------${tid.replace(/[.+]/g, '\\$&')}([$+#])\r\n$`).exec(text);
    if (!endLine)
      throw new Error('no end-line');
    const inner = text.slice(lineEnd + 2, endLine.index + 2);
    const blank = inner.indexOf('\r\n\r\n');
    const headerText = blank < 0 ? inner : inner.slice(0, blank + 2);
    const chunk = {
      tid,
      flag: endLine[1],
      headers: new Map(),
      body: blank < 0 ? '' : inner.slice(blank + 4, -2),
    };
    if (/^\d{3}$/.test(start[2])) {
      chunk.status = Number(start[2]);
      chunk.comment = start[3] || '';
    } else {
      chunk.method = start[2];
    }
    for (const line of headerText.split('\r\n')) {
      if (line === '')
        continue;
      const colon = line.indexOf(':');
      if (colon <= 0)
        throw new Error(`bad header line: ${line}`);
      chunk.headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    return chunk;
  }

  // The name=value pairs of a Digest challenge.
  function parseChallenge(value) {
    const params = {};
    const re = /([A-Za-z-]+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
    let m;
    while ((m = re.exec(value.replace(/^Digest\s+/i, ''))) !== null)
      params[m[1].toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3];
    return params;
  }

  // The Authorization that answers a challenge (RFC 2617 with qop=auth, as
  // RFC 4976 section 5.1 asks, the method being AUTH).
  function digestAuthorization(challenge, user, password, uri) {
    const p = parseChallenge(challenge);
    const cnonce = randomId(16);
    const nc = '00000001';
    const ha1 = md5(`${user}:${p.realm}:${password}`);
    const ha2 = md5(`AUTH:${uri}`);
    const quote = (s) => `"${s.replace(/["\\]/g, '\\$&')}"`;
    let value = `Digest username=${quote(user)}, realm=${quote(p.realm)}, ` +
      `nonce=${quote(p.nonce)}, uri=${quote(uri)}`;
    if (p.qop !== undefined) {
      const response = md5(`${ha1}:${p.nonce}:${nc}:${cnonce}:auth:${ha2}`);
      value += `, qop=auth, nc=${nc}, cnonce=${quote(cnonce)}, response=${quote(response)}`;
    } else {
      value += `, response=${quote(md5(`${ha1}:${p.nonce}:${ha2}`))}`;
    }
    if (p.opaque !== undefined)
      value += `, opaque=${quote(p.opaque)}`;
    return value + ', algorithm=MD5';
  }

  // A client of one relay: connect() opens the WebSocket and AUTHs, then
  // send() sends messages to a peer's path and onmessage gets the peer's.
  class Client {
    constructor(wsUrl, relayUri, user, password) {
      this.wsUrl = wsUrl;
      this.relayUri = relayUri;
      this.user = user;
      this.password = password;
      // RFC 7977 section 5.2: a client that cannot be reached otherwise
      // names itself with a random .invalid host.
      const scheme = wsUrl.startsWith('wss:') ? 'msrps' : 'msrp';
      this.uri = `${scheme}://${randomId(12)}.invalid:2855/${randomId(20)};ws`;
      this.usePath = [];
      this.pending = new Map();   // tid → {resolve, reject}
      this.incoming = new Map();  // Message-ID → chunks' bodies so far
      this.onmessage = null;      // (body, contentType, chunk)
      this.onreport = null;       // (chunk)
      this.onclose = null;        // (event)
      this.log = [];              // chunks in and out, for whoever shows them
    }

    // The path to give the peer (a=path): the relay's URI, then ours.
    get path() {
      return [...this.usePath, this.uri];
    }

    connect() {
      return new Promise((resolve, reject) => {
        this.ws = new WebSocket(this.wsUrl, 'msrp');
        this.ws.binaryType = 'arraybuffer';
        this.ws.onopen = () => {
          if (this.ws.protocol !== 'msrp') {
            reject(new Error(`the server chose the sub-protocol "${this.ws.protocol}"`));
            return;
          }
          this.auth().then(resolve, reject);
        };
        this.ws.onerror = () => reject(new Error(`cannot open ${this.wsUrl}`));
        this.ws.onclose = (event) => {
          for (const { reject: fail } of this.pending.values())
            fail(new Error(`WebSocket closed (${event.code})`));
          this.pending.clear();
          if (this.onclose)
            this.onclose(event);
        };
        this.ws.onmessage = (event) => this.receive(event.data);
      });
    }

    // AUTH, answering the relay's 401 challenge; keeps its Use-Path.
    async auth() {
      const headers = [['To-Path', this.relayUri], ['From-Path', this.uri]];
      let response = await this.request('AUTH', headers);
      if (response.status === 401) {
        const challenge = response.headers.get('www-authenticate') || '';
        response = await this.request('AUTH', [...headers,
          ['Authorization', digestAuthorization(challenge, this.user, this.password, this.relayUri)]]);
      }
      if (response.status !== 200)
        throw new Error(`AUTH: ${response.status} ${response.comment}`);
      const usePath = response.headers.get('use-path');
      if (!usePath)
        throw new Error('AUTH: 200 without Use-Path');
      this.usePath = usePath.split(/\s+/);
      return this.path;
    }

    // Sends a request and resolves with its response.
    request(method, headers, body = null) {
      const tid = randomId(12);
      return new Promise((resolve, reject) => {
        this.pending.set(tid, { resolve, reject });
        this.write(encode(tid, method, headers, body));
      });
    }

    write(text) {
      this.log.push(['out', text]);
      this.ws.send(text);
    }

    // Sends a message in one chunk to a peer path; resolves with the
    // Message-ID when the peer's 200 arrives.
    async send(toPath, contentType, body, { successReport = false } = {}) {
      const messageId = randomId(16);
      const size = utf8Length(body);
      const headers = [
        ['To-Path', [...this.usePath, ...toPath].join(' ')],
        ['From-Path', this.uri],
        ['Message-ID', messageId],
        ['Byte-Range', `1-${size}/${size}`],
      ];
      if (successReport)
        headers.push(['Success-Report', 'yes']);
      headers.push(['Content-Type', contentType]);
      const response = await this.request('SEND', headers, body);
      if (response.status !== 200)
        throw new Error(`SEND: ${response.status} ${response.comment}`);
      return messageId;
    }

    // The bodiless SEND with which the active side binds the session at
    // the relay and the peer before anything else (RFC 4975 section 7.1.1).
    async bind(toPath) {
      const response = await this.request('SEND', [
        ['To-Path', [...this.usePath, ...toPath].join(' ')],
        ['From-Path', this.uri],
        ['Message-ID', randomId(16)],
        ['Byte-Range', '1-0/0'],
      ]);
      if (response.status !== 200)
        throw new Error(`SEND: ${response.status} ${response.comment}`);
    }

    receive(data) {
      const text = typeof data === 'string' ? data : new TextDecoder().decode(data);
      this.log.push(['in', text]);
      let chunk;
      try {
        chunk = parse(text);
      } catch (e) {
        // RFC 7977 section 5.1: a message that is no chunk ends the connection.
        this.ws.close(1002, e.message);
        return;
      }
      if (chunk.status !== undefined) {
        const waiter = this.pending.get(chunk.tid);
        if (waiter) {
          this.pending.delete(chunk.tid);
          waiter.resolve(chunk);
        }
      } else if (chunk.method === 'SEND') {
        this.receiveSend(chunk);
      } else if (chunk.method === 'REPORT') {
        if (this.onreport)
          this.onreport(chunk);
      } else {
        this.respond(chunk, 501, 'Not Implemented');
      }
    }

    // A response goes to the previous hop, the first URI of the From-Path
    // (RFC 4975 section 7.2).
    respond(request, status, comment) {
      if (request.headers.get('failure-report') === 'no' ||
          (status === 200 && request.headers.get('failure-report') === 'partial'))
        return;
      this.write(encode(request.tid, `${status} ${comment}`, [
        ['To-Path', request.headers.get('from-path').split(/\s+/)[0]],
        ['From-Path', this.uri],
      ]));
    }

    receiveSend(chunk) {
      const messageId = chunk.headers.get('message-id');
      if (!messageId) {
        this.respond(chunk, 400, 'No Message-ID');
        return;
      }
      this.respond(chunk, 200, 'OK');
      const parts = this.incoming.get(messageId) || [];
      parts.push(chunk.body);
      if (chunk.flag === '+') {
        this.incoming.set(messageId, parts);
        return;
      }
      this.incoming.delete(messageId);
      if (chunk.flag === '#')
        return;
      const body = parts.join('');
      if (chunk.headers.get('success-report') === 'yes') {
        const total = (chunk.headers.get('byte-range') || '').split('/')[1] || utf8Length(body);
        this.write(encode(randomId(12), 'REPORT', [
          ['To-Path', chunk.headers.get('from-path')],
          ['From-Path', this.uri],
          ['Message-ID', messageId],
          ['Byte-Range', `1-${total}/${total}`],
          ['Status', '000 200 OK'],
        ]));
      }
      // An empty SEND only binds the session (RFC 4975 section 7.1.1).
      if (body !== '' && this.onmessage)
        this.onmessage(body, chunk.headers.get('content-type') || '', chunk);
    }

    close() {
      if (this.ws)
        this.ws.close(1000);
    }
  }

  // CPIM (RFC 3862), just enough for chat: a message to send, and the
  // content and headers of one received.
  function cpimEncode(from, to, contentType, text) {
    return `From: ${from}\r\nTo: ${to}\r\nDateTime: ${new Date().toISOString()}\r\n\r\n` +
      `Content-Type: ${contentType}\r\n\r\n${text}`;
  }

  function cpimDecode(body) {
    const first = body.indexOf('\r\n\r\n');
    const second = first < 0 ? -1 : body.indexOf('\r\n\r\n', first + 4);
    if (second < 0)
      throw new Error('not a CPIM message');
    const headers = new Map();
    for (const line of body.slice(0, second).split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0)
        headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    return { headers, contentType: headers.get('content-type') || '', text: body.slice(second + 4) };
  }

  // The a=path and a=accept-types of an SDP media description, and one
  // for our side as the active answerer (RFC 4975 section 8; RFC 7977 for
  // the protocol name).
  function sdpAttribute(sdp, name) {
    const m = new RegExp(`^a=${name}:(.*)$`, 'm').exec(sdp);
    return m ? m[1].trim() : null;
  }

  function sdpAnswer(path, acceptTypes) {
    const tls = path[path.length - 1].startsWith('msrps:');
    return `m=message 9 TCP/${tls ? 'WSS' : 'WS'}/MSRP *\r\n` +
      'c=IN IP4 0.0.0.0\r\n' +
      `a=accept-types:${acceptTypes}\r\n` +
      'a=accept-wrapped-types:text/plain\r\n' +
      'a=setup:active\r\n' +
      `a=path:${path.join(' ')}\r\n`;
  }

  return { md5, randomId, encode, parse, digestAuthorization, Client, cpimEncode, cpimDecode,
           sdpAttribute, sdpAnswer };
})();
