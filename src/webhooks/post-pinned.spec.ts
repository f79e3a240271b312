import { createServer, IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { until } from '../../test/support/poll';
import { WORK_BATCH_SIZE } from '../jobs/job-queue';
import { checkDestination, ResolvedAddress } from './destination-policy';
import { PinnedPoster } from './post-pinned';

describe('delivery to the checked address (no DNS rebinding)', () => {
  it('checks the resolver once and pins its public answer, however it answers next', async () => {
    const answers: ResolvedAddress[][] = [[{ address: '93.184.216.34', family: 4 }], [{ address: '127.0.0.1', family: 4 }]];
    let asked = 0;
    const checked = await checkDestination('https://hooks.example.com/in', true, async () => answers[asked++]);
    expect(checked).toEqual({ pinned: { address: '93.184.216.34', family: 4 } });
    expect(asked).toBe(1);
  });

  it('connects to the pinned address without asking the resolver, keeping the host name in the Host header', async () => {
    let received: IncomingMessage | undefined;
    const server = createServer((request, response) => {
      received = request;
      request.resume();
      response.statusCode = 204;
      response.end();
    });
    // On 127.0.0.2, where `localhost` (127.0.0.1, ::1) never leads.
    await new Promise<void>((done) => server.listen(0, '127.0.0.2', done));
    const { port } = server.address() as AddressInfo;
    const poster = new PinnedPoster();
    const postPinned = poster.post.bind(poster);
    try {
      const status = await postPinned(`http://localhost:${port}/hook`, { 'content-type': 'application/json' }, '{}', { address: '127.0.0.2', family: 4 }, 2000);
      expect(status).toBe(204);
      expect(received?.headers.host).toBe(`localhost:${port}`);
      // Unpinned, the same URL goes where the resolver says, and finds nobody there.
      await expect(postPinned(`http://localhost:${port}/hook`, {}, '{}', undefined, 2000)).rejects.toThrow();
    } finally {
      poster.close();
      await new Promise((done) => server.close(done));
    }
  });

  it('keeps a connection alive per pinned address, and never lends it to a delivery pinned elsewhere', async () => {
    const connections = { '127.0.0.2': 0, '127.0.0.3': 0 };
    const answering = (address: keyof typeof connections) => {
      const server = createServer((request, response) => {
        request.resume();
        response.end(address);
      });
      server.on('connection', () => connections[address]++);
      return server;
    };
    const first = answering('127.0.0.2');
    await new Promise<void>((done) => first.listen(0, '127.0.0.2', done));
    const { port } = first.address() as AddressInfo;
    const second = answering('127.0.0.3');
    await new Promise<void>((done) => second.listen(port, '127.0.0.3', done));
    const poster = new PinnedPoster();
    const url = `http://hooks.example.com:${port}/hook`;
    try {
      for (let i = 0; i < 3; i++) expect(await poster.post(url, {}, '{}', { address: '127.0.0.2', family: 4 }, 2000)).toBe(200);
      expect(await poster.post(url, {}, '{}', { address: '127.0.0.3', family: 4 }, 2000)).toBe(200);
      expect(await poster.post(url, {}, '{}', { address: '127.0.0.2', family: 4 }, 2000)).toBe(200);
      expect(connections).toEqual({ '127.0.0.2': 1, '127.0.0.3': 1 });
    } finally {
      poster.close();
      await Promise.all([first, second].map((server) => new Promise((done) => server.close(done))));
    }
  });

  describe('kept-alive connections', () => {
    const LOOPBACK: ResolvedAddress = { address: '127.0.0.1', family: 4 };
    let open = 0;
    let opened = 0;
    let answerAfterMs = 0;
    const server = createServer((request, response) => {
      request.resume();
      setTimeout(() => response.end(), answerAfterMs);
    });
    // Only the poster may close an idle connection here.
    server.keepAliveTimeout = 60_000;
    server.on('connection', (socket) => {
      opened++;
      open++;
      socket.on('close', () => open--);
    });
    let url: string;

    beforeAll(async () => {
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    });
    beforeEach(() => {
      opened = 0;
      answerAfterMs = 0;
    });
    afterAll(() => new Promise((done) => server.close(done)));

    it('keeps a whole batch of connections alive: the next batch to the same receiver opens none', async () => {
      const poster = new PinnedPoster();
      const batch = () => Promise.all(Array.from({ length: WORK_BATCH_SIZE }, () => poster.post(url, {}, '{}', LOOPBACK, 2000)));
      try {
        // Held open until every delivery of the batch has its own connection.
        answerAfterMs = 100;
        expect(await batch()).toEqual(Array(WORK_BATCH_SIZE).fill(200));
        expect(opened).toBe(WORK_BATCH_SIZE);
        expect(await batch()).toEqual(Array(WORK_BATCH_SIZE).fill(200));
        expect(opened).toBe(WORK_BATCH_SIZE);
      } finally {
        poster.close();
      }
    });

    it('gives up on a receiver that trickles its answer at the deadline, though it is never silent for long', async () => {
      const trickler = createServer((_request, response) => {
        const socket = response.socket!;
        socket.write('HTTP/1.1 200 OK\r\nX-Slow: ');
        const drip = setInterval(() => socket.write('a'), 20);
        socket.on('close', () => clearInterval(drip));
      });
      await new Promise<void>((done) => trickler.listen(0, '127.0.0.1', done));
      const poster = new PinnedPoster();
      try {
        const started = Date.now();
        await expect(poster.post(`http://127.0.0.1:${(trickler.address() as AddressInfo).port}/hook`, {}, '{}', LOOPBACK, 300)).rejects.toThrow('no answer within 300 ms');
        expect(Date.now() - started).toBeLessThan(2000);
      } finally {
        poster.close();
        trickler.closeAllConnections();
        await new Promise((done) => trickler.close(done));
      }
    });

    it('closes a connection idle past its time, never one waiting for an answer', async () => {
      const poster = new PinnedPoster(50);
      try {
        answerAfterMs = 300;
        expect(await poster.post(url, {}, '{}', LOOPBACK, 2000)).toBe(200);
        expect(opened).toBe(1);
        await until(() => open === 0, 5000);
      } finally {
        poster.close();
      }
    });
  });
});
