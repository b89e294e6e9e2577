// Reference peer for Parley's benchmark: a small chat server on the stack Parley replaces
// (Node `ws` + express), with the same room/broadcast semantics in its own JSON protocol:
//   -> {"t":"join","room":"r0","nick":"alice"}        <- {"t":"joined","room":"r0","members":N}
//   -> {"t":"send","room":"r0","id":"c1","text":"hi"} <- {"t":"ack","room":"r0","id":"c1","seq":7,"ts":...}
//   every member (the sender too)                    <- {"t":"msg","room":"r0","seq":7,"nick":"alice","text":"hi","ts":...}
// Each broadcast is serialized once and sent to every member, as Parley does. Messages are
// kept in memory only. Listens on PEER_LISTEN (default 127.0.0.1:3100); GET /healthz answers.
'use strict';
const http = require('http');
const express = require('express');
const { WebSocketServer } = require('ws');

const [host, port] = (process.env.PEER_LISTEN || '127.0.0.1:3100').split(':');
const app = express();
app.get('/healthz', (_req, res) => res.json({ status: 'ok', connections: wss.clients.size }));
const server = http.createServer(app);
const wss = new WebSocketServer({ server, path: '/ws', perMessageDeflate: false, maxPayload: 64 * 1024 });
const rooms = new Map(); // name -> { seq, members: Set<WebSocket> }

function broadcast(room, frame, except) {
  for (const member of room.members) if (member !== except) member.send(frame);
}

wss.on('connection', (ws) => {
  ws.rooms = new Set();
  ws.nick = null;
  ws.alive = true;
  ws.on('pong', () => { ws.alive = true; });
  ws.send('{"t":"welcome"}');
  ws.on('message', (data, isBinary) => {
    let m;
    try { m = JSON.parse(data); } catch { return ws.send('{"t":"error","code":"invalid_json"}'); }
    if (m.t === 'join') {
      let room = rooms.get(m.room);
      if (!room) { room = { seq: 0, members: new Set() }; rooms.set(m.room, room); }
      room.members.add(ws);
      ws.rooms.add(m.room);
      ws.nick = m.nick;
      ws.send(JSON.stringify({ t: 'joined', room: m.room, members: room.members.size }));
      broadcast(room, JSON.stringify({ t: 'presence', room: m.room, nick: m.nick, change: 'joined' }), ws);
    } else if (m.t === 'send') {
      const room = rooms.get(m.room);
      if (!room || !room.members.has(ws)) return ws.send('{"t":"error","code":"not_in_room"}');
      const seq = ++room.seq;
      const ts = Date.now();
      ws.send(JSON.stringify({ t: 'ack', room: m.room, id: m.id, seq, ts }));
      broadcast(room, JSON.stringify({ t: 'msg', room: m.room, seq, nick: ws.nick, text: m.text, ts }));
    } else {
      ws.send('{"t":"error","code":"unknown_type"}');
    }
  });
  ws.on('close', () => {
    for (const name of ws.rooms) {
      const room = rooms.get(name);
      room.members.delete(ws);
      broadcast(room, JSON.stringify({ t: 'presence', room: name, nick: ws.nick, change: 'left' }));
    }
  });
});

// Heartbeat, as the ws documentation recommends: drop peers that miss a ping.
setInterval(() => {
  for (const ws of wss.clients) {
    if (!ws.alive) { ws.terminate(); continue; }
    ws.alive = false;
    ws.ping();
  }
}, 20000).unref();

server.listen(Number(port), host, 4096, () => console.log(`node peer listening on http://${host}:${port}/`));
