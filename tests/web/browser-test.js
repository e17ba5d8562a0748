// browser-test.js: what the page of the browser test does, step by step,
// each step's result written into #results for test-browser.py to check
// in the dumped DOM.
//
// SPDX-License-Identifier: LGPL-2.1-or-later

'use strict';

function result(id, text) {
  const dt = document.createElement('dt');
  dt.textContent = id;
  const dd = document.createElement('dd');
  dd.id = id;
  dd.textContent = text;
  document.getElementById('results').append(dt, dd);
}

// Resolves with the next value given to the callback it installs, or
// rejects after a while so that a missing step shows in the page.
function next(install, what) {
  return new Promise((resolve, reject) => {
    install(resolve);
    setTimeout(() => reject(new Error(`no ${what} in time`)), 15000);
  });
}

function text(body, contentType) {
  if (contentType.split(';')[0].trim().toLowerCase() !== 'message/cpim')
    return { type: contentType, text: body, from: '' };
  const cpim = Msrp.cpimDecode(body);
  return { type: cpim.contentType, text: cpim.text, from: cpim.headers.get('from') || '' };
}

async function run() {
  const config = await (await fetch('config')).json();
  const client = new Msrp.Client(config.websocket, config.relay, config.user, config.password);
  const received = [];
  let wake = null;
  client.onmessage = (body, type) => {
    received.push(text(body, type));
    if (wake)
      wake();
  };
  const messageAt = (n) => received.length > n ? Promise.resolve() :
    next((resolve) => { wake = () => { if (received.length > n) resolve(); }; }, `message ${n + 1}`);

  const path = await client.connect();
  result('auth', path.join(' '));

  // The answer goes back as a SIP client's would, here over HTTP.
  const peerPath = Msrp.sdpAttribute(config.offer, 'path').split(/\s+/);
  const answer = Msrp.sdpAnswer(client.path, 'message/cpim text/plain');
  const posted = await fetch('answer', { method: 'POST', body: answer });
  if (!posted.ok)
    throw new Error(`answer: HTTP ${posted.status}`);

  // A CPIM message with a success report asked for: the first SEND binds
  // the session at the relay and at the peer.
  const report = next((resolve) => { client.onreport = resolve; }, 'REPORT');
  const cpim = Msrp.cpimEncode(config.local, config.remote, 'text/plain', config.messages[0]);
  const id = await client.send(peerPath, 'message/cpim', cpim, { successReport: true });
  result('sent-cpim', id);
  const chunk = await report;
  const sameId = chunk.headers.get('message-id') === id;
  result('report', `${chunk.headers.get('status')} ${sameId ? 'same-id' : 'other-id'}`);

  // A bare text/plain one.
  await client.send(peerPath, 'text/plain', config.messages[1]);
  result('sent-plain', 'ok');

  // The peer's reply; its chat asks for a success REPORT, which the
  // client sends.
  await messageAt(0);
  result('received', `${received[0].type}|${received[0].text}|${received[0].from}`);
  client.close();
}

async function finish(outcome) {
  document.getElementById('outcome').textContent = outcome;
  await fetch('done', { method: 'POST', body: outcome });
}

window.addEventListener('error', (event) => finish(`failed: ${event.message}`));
run().then(() => finish('passed'), (error) => finish(`failed: ${error.message}`));
