// web-chat.js: the page of examples/web-chat. Connects to the relay over a
// WebSocket, answers the offer of `msrp chat --offer`, and chats.
//
// SPDX-License-Identifier: LGPL-2.1-or-later

'use strict';

const $ = (id) => document.getElementById(id);
let client = null;
let peerPath = [];
let useCpim = false;
const sent = new Map();   // Message-ID → the <p> that shows it

function show(kind, text) {
  const p = document.createElement('p');
  p.className = kind;
  p.textContent = text;
  $('log').append(p);
  $('log').scrollTop = $('log').scrollHeight;
  return p;
}

// The name in 'Name <sip:user@host>', else the whole identity.
function displayName(identity) {
  const m = /^\s*"?([^"<]*?)"?\s*</.exec(identity);
  return m && m[1] ? m[1] : identity;
}

function onMessage(body, contentType) {
  let type = contentType.split(';')[0].trim().toLowerCase();
  let from = 'peer';
  if (type === 'message/cpim') {
    const cpim = Msrp.cpimDecode(body);
    body = cpim.text;
    type = cpim.contentType.split(';')[0].trim().toLowerCase();
    from = displayName(cpim.headers.get('from') || from);
  }
  if (type === 'application/im-iscomposing+xml') {
    // RFC 3994: only the state matters here.
    const active = /<state>\s*active\s*<\/state>/.test(body);
    $('typing').textContent = active ? `${from} is typing…` : '';
  } else if (type.startsWith('text/')) {
    $('typing').textContent = '';
    show('peer', `${from}: ${body}`);
  } else if (type !== 'message/imdn+xml') {
    show('info', `(a ${type} message, not shown)`);
  }
}

function onReport(chunk) {
  const p = sent.get(chunk.headers.get('message-id'));
  if (p && (chunk.headers.get('status') || '').startsWith('000 200'))
    p.textContent += ' ✓';
  else if (p)
    p.textContent += ` ✗ (${chunk.headers.get('status')})`;
}

async function connect() {
  const offer = $('offer').value;
  const path = Msrp.sdpAttribute(offer, 'path');
  if (!path)
    throw new Error('the offer has no a=path');
  peerPath = path.split(/\s+/);
  useCpim = (Msrp.sdpAttribute(offer, 'accept-types') || '').split(/\s+/).includes('message/cpim');

  client = new Msrp.Client($('websocket').value, $('relay').value, $('user').value, $('password').value);
  client.onmessage = onMessage;
  client.onreport = onReport;
  client.onclose = (event) => {
    show('info', `Connection closed (${event.code}${event.reason ? ' ' + event.reason : ''}).`);
    $('text').disabled = $('send-button').disabled = true;
  };
  show('info', `Connecting to ${$('websocket').value}…`);
  const ourPath = await client.connect();
  show('info', `Authenticated; our path: ${ourPath.join(' ')}`);

  const answer = Msrp.sdpAnswer(ourPath, 'message/cpim text/plain application/im-iscomposing+xml');
  $('answer').value = answer;
  $('answer-box').hidden = false;
  // serve.py takes the answer and writes msrp chat's answer file; with any
  // other server, copy it there by hand.
  let put = null;
  try {
    put = await fetch('answer.sdp', { method: 'PUT', body: answer });
  } catch (e) {
    // No server that takes it: the text box is the way.
  }
  $('answer-status').textContent = put && put.ok
    ? 'Given to msrp chat through serve.py.'
    : 'Copy this into the answer file of msrp chat.';

  // We are the active side: bind the session now, whatever the peer does.
  await client.bind(peerPath);
  show('info', 'Session bound at the relay: chat away.');
  $('text').disabled = $('send-button').disabled = false;
  $('text').focus();
  if (params.get('say'))
    send(params.get('say'));
}

async function send(text) {
  const body = useCpim
    ? Msrp.cpimEncode($('identity').value, '<sip:anonymous@anonymous.invalid>',
                      'text/plain;charset=UTF-8', text)
    : text;
  const p = show('me', `${displayName($('identity').value)}: ${text}`);
  try {
    const id = await client.send(peerPath, useCpim ? 'message/cpim' : 'text/plain;charset=UTF-8', body,
                                 { successReport: true });
    sent.set(id, p);
  } catch (e) {
    p.textContent += ` ✗ (${e.message})`;
  }
}

$('setup').addEventListener('submit', (event) => {
  event.preventDefault();
  $('connect').disabled = true;
  connect().catch((e) => {
    show('info', `Failed: ${e.message}`);
    $('connect').disabled = false;
  });
});

$('send').addEventListener('submit', (event) => {
  event.preventDefault();
  const text = $('text').value;
  if (text === '')
    return;
  $('text').value = '';
  send(text);
});

// Settings from the query string (?websocket=…&relay=…&user=…), and the
// offer from offer.sdp beside the page when the server has one.
for (const [key, value] of new URLSearchParams(location.search))
  if ($(key) && $(key).tagName === 'INPUT')
    $(key).value = value;
const params = new URLSearchParams(location.search);
fetch('offer.sdp').then((r) => (r.ok ? r.text() : '')).then((text) => {
  if (text && !$('offer').value)
    $('offer').value = text;
  // ?connect=1 connects at once, and ?say=… then sends that: a link that
  // does everything, for scripts and headless browsers.
  if (params.get('connect') === '1')
    $('connect').click();
}).catch(() => {});
