import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { testTls } from '../helpers';

describe('local CA', () => {
  it('serves HTTPS that Node trusts through NODE_EXTRA_CA_CERTS, for 127.0.0.1 and localhost', async () => {
    const tls = testTls();
    const server = https.createServer({ key: tls.key, cert: tls.cert }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      expect(await (await fetch(`https://127.0.0.1:${port}/`)).text()).toBe('ok');
      expect(await (await fetch(`https://localhost:${port}/`)).text()).toBe('ok');
    } finally {
      server.close();
    }
  });
});
