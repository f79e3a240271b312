// A loopback TCP proxy in front of PostgreSQL that reads the wire protocol as it passes, so the
// harness can see exactly which statements the service sends for one request and how many round
// trips they take. Used only for the capture step, never while load is measured.
//
// A round trip is one ReadyForQuery ('Z') from the server: the pg driver sends a simple Query or
// Parse/Bind/Describe/Execute/Sync and waits for it before it sends anything else on that connection.
import { createServer, connect } from 'node:net';

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

/**
 * @param {{ host: string, port: number }} target PostgreSQL to forward to.
 * @returns {Promise<{ port: number, start(): void, stop(): Array<object>, close(): Promise<void> }>}
 */
export async function startPgTap(target) {
  const sockets = new Set();
  let recording = null; // events of the current capture window, or null
  let connectionSeq = 0;

  const server = createServer((client) => {
    const connection = { id: ++connectionSeq, applicationName: '', named: new Map(), pendingParse: null };
    const upstream = connect({ host: target.host, port: target.port });
    sockets.add(client);
    sockets.add(upstream);
    const record = (event) => {
      if (recording) recording.push({ connection: connection.id, applicationName: connection.applicationName, ...event });
    };
    const frontend = frontendParser(connection, record);
    const backend = backendParser(record);
    client.on('data', (chunk) => {
      frontend(chunk, backend);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      backend.feed(chunk);
      client.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });

  return {
    port: server.address().port,
    start() {
      recording = [];
    },
    stop() {
      const events = recording ?? [];
      recording = null;
      return events;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Messages from the driver: the untyped startup packet first, then typed messages. */
function frontendParser(connection, record) {
  let buffer = Buffer.alloc(0);
  let startupDone = false;
  return (chunk, backend) => {
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
    for (;;) {
      if (!startupDone) {
        if (buffer.length < 8) return;
        const length = buffer.readInt32BE(0);
        if (buffer.length < length) return;
        const code = buffer.readInt32BE(4);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          backend.expectSingleByte(); // the server answers 'S' or 'N', untyped
        } else {
          const fields = buffer.subarray(8, length - 1).toString('utf8').split('\0');
          for (let i = 0; i + 1 < fields.length; i += 2) {
            if (fields[i] === 'application_name') connection.applicationName = fields[i + 1];
          }
          startupDone = true;
        }
        buffer = buffer.subarray(length);
        continue;
      }
      if (buffer.length < 5) return;
      const length = buffer.readInt32BE(1);
      if (buffer.length < 1 + length) return;
      const type = String.fromCharCode(buffer[0]);
      const body = buffer.subarray(5, 1 + length);
      buffer = buffer.subarray(1 + length);
      const event = decodeFrontend(type, body);
      // Statement texts are tracked outside capture windows too: a named statement is parsed once
      // per connection and only bound afterwards.
      if (event.type === 'Parse') {
        connection.pendingParse = event;
        if (event.statement) connection.named.set(event.statement, event.text);
      } else if (event.type === 'Bind') {
        const parse = connection.pendingParse;
        event.parsed = parse !== null && parse.statement === event.statement;
        event.text = event.parsed ? parse.text : connection.named.get(event.statement) ?? '(unknown statement)';
        connection.pendingParse = null;
      }
      record({ direction: 'F', t: performance.now(), ...event });
    }
  };
}

function decodeFrontend(type, body) {
  const reader = cursor(body);
  switch (type) {
    case 'Q':
      return { type: 'Query', text: reader.cstring() };
    case 'P': {
      const statement = reader.cstring();
      const text = reader.cstring();
      return { type: 'Parse', statement, text };
    }
    case 'B': {
      const portal = reader.cstring();
      const statement = reader.cstring();
      const formatCount = reader.int16();
      const formats = Array.from({ length: formatCount }, () => reader.int16());
      const valueCount = reader.int16();
      const values = [];
      for (let i = 0; i < valueCount; i++) {
        const length = reader.int32();
        const format = formats.length === 0 ? 0 : formats.length === 1 ? formats[0] : formats[i];
        if (length < 0) {
          values.push(null);
          continue;
        }
        const bytes = reader.bytes(length);
        values.push(format === 1 ? `\\x${bytes.toString('hex')}` : bytes.toString('utf8'));
      }
      return { type: 'Bind', portal, statement, values };
    }
    case 'E':
      return { type: 'Execute' };
    case 'S':
      return { type: 'Sync' };
    case 'D':
      return { type: 'Describe' };
    case 'C':
      return { type: 'Close' };
    case 'H':
      return { type: 'Flush' };
    case 'X':
      return { type: 'Terminate' };
    default:
      return { type: `other:${type}` };
  }
}

/** Messages from the server: only what tells a round trip's end and its outcome. */
function backendParser(record) {
  let buffer = Buffer.alloc(0);
  let singleBytes = 0;
  return {
    expectSingleByte() {
      singleBytes++;
    },
    feed(chunk) {
      buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
      for (;;) {
        if (singleBytes > 0) {
          if (buffer.length < 1) return;
          buffer = buffer.subarray(1);
          singleBytes--;
          continue;
        }
        if (buffer.length < 5) return;
        const length = buffer.readInt32BE(1);
        if (buffer.length < 1 + length) return;
        const type = String.fromCharCode(buffer[0]);
        const body = buffer.subarray(5, 1 + length);
        buffer = buffer.subarray(1 + length);
        if (type === 'Z') record({ direction: 'B', t: performance.now(), type: 'ReadyForQuery', status: String.fromCharCode(body[0]) });
        else if (type === 'C') record({ direction: 'B', t: performance.now(), type: 'CommandComplete', tag: cursor(body).cstring() });
        else if (type === 'E') record({ direction: 'B', t: performance.now(), type: 'Error', message: errorMessage(body) });
      }
    },
  };
}

function errorMessage(body) {
  const parts = {};
  let offset = 0;
  while (offset < body.length && body[offset] !== 0) {
    const field = String.fromCharCode(body[offset]);
    const end = body.indexOf(0, offset + 1);
    parts[field] = body.subarray(offset + 1, end).toString('utf8');
    offset = end + 1;
  }
  return `${parts.C ?? ''} ${parts.M ?? ''}`.trim();
}

function cursor(buffer) {
  let offset = 0;
  return {
    cstring() {
      const end = buffer.indexOf(0, offset);
      const value = buffer.subarray(offset, end).toString('utf8');
      offset = end + 1;
      return value;
    },
    int16() {
      const value = buffer.readInt16BE(offset);
      offset += 2;
      return value;
    },
    int32() {
      const value = buffer.readInt32BE(offset);
      offset += 4;
      return value;
    },
    bytes(length) {
      const value = buffer.subarray(offset, offset + length);
      offset += length;
      return value;
    },
  };
}

/**
 * Folds the raw events of one capture window into statements, in the order they were sent:
 * { connection, applicationName, protocol: 'simple'|'extended', text, statement (name; '' = unnamed),
 *   parsed (a Parse was sent for it: parsed and planned anew), values }.
 */
export function statementsOf(events) {
  const statements = [];
  for (const event of events) {
    if (event.direction !== 'F') continue;
    if (event.type === 'Query') {
      statements.push({ connection: event.connection, applicationName: event.applicationName, protocol: 'simple', text: event.text, statement: null, parsed: true, values: [] });
    } else if (event.type === 'Bind') {
      statements.push({
        connection: event.connection,
        applicationName: event.applicationName,
        protocol: 'extended',
        text: event.text,
        statement: event.statement,
        parsed: event.parsed,
        values: event.values,
      });
    }
  }
  return statements;
}
