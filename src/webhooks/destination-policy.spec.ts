import { refuseDestination } from './destination-policy';

describe('refuseDestination', () => {
  it('in production, wants https and a public address', async () => {
    expect(await refuseDestination('http://93.184.216.34/hook', true)).toBe('url must be https');
    for (const url of ['https://127.0.0.1/x', 'https://10.1.2.3/x', 'https://169.254.169.254/latest', 'https://[::1]/x', 'https://[fd00::1]/x', 'https://[::ffff:192.168.1.1]/x', 'https://localhost/x']) {
      expect(await refuseDestination(url, true)).toMatch(/loopback, private or link-local/);
    }
    // The probe's special-purpose addresses: IPv4-compatible IPv6, benchmarking, IETF, reserved, broadcast, NAT64, site-local, documentation.
    for (const url of ['https://[::127.0.0.1]/x', 'https://198.18.0.1/x', 'https://192.0.0.1/x', 'https://240.0.0.1/x', 'https://255.255.255.255/x', 'https://[64:ff9b::7f00:1]/x', 'https://[fec0::1]/x', 'https://[2001:db8::1]/x', 'https://[2002:7f00:1::]/x', 'https://192.0.2.1/x']) {
      expect({ url, refused: await refuseDestination(url, true) }).toEqual({ url, refused: expect.stringMatching(/loopback, private or link-local/) });
    }
    expect(await refuseDestination('https://93.184.216.34/hook', true)).toBeUndefined();
    expect(await refuseDestination('https://[2606:4700:4700::1111]/hook', true)).toBeUndefined();
    expect(await refuseDestination('https://user:pw@93.184.216.34/hook', true)).toBe('url must not carry credentials');
  });

  it('elsewhere, allows http and loopback but nothing odd', async () => {
    expect(await refuseDestination('http://127.0.0.1:4000/hook', false)).toBeUndefined();
    expect(await refuseDestination('ftp://127.0.0.1/hook', false)).toBe('url must be http or https');
    expect(await refuseDestination('not a url', false)).toBe('url must be an absolute URL');
  });
});
