import { Webhook } from 'standardwebhooks';
import { newWebhookSecret, signWebhook } from './webhook-secret';

describe('webhook secrets and signatures (Standard Webhooks 1.0)', () => {
  const id = '01a2069b-0d4e-7a61-8f3c-2b9e5d7a1c40';
  const body = '{"id":"01a2069b-0d4e-7a61-8f3c-2b9e5d7a1c40","type":"order.completed"}';

  it('makes whsec_ and the standard base64 of 32 random bytes', () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(newWebhookSecret()).not.toBe(secret);
  });

  it('signs as the standardwebhooks library verifies', () => {
    const secret = newWebhookSecret();
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signWebhook(secret, id, timestamp, body) };
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(secret).sign(id, new Date(timestamp * 1000), body)).toBe(headers['webhook-signature']);
  });

  it('keeps the key of a secret registered in base64url: the same bytes, rewritten in standard base64', () => {
    const key = Buffer.from('fb'.repeat(32), 'hex'); // bytes whose base64 needs + and /
    const old = `whsec_${key.toString('base64url')}`;
    const rewritten = `whsec_${key.toString('base64')}`;
    expect(old).not.toBe(rewritten);
    expect(signWebhook(old, id, 1795404000, body)).toBe(signWebhook(rewritten, id, 1795404000, body));
  });
});
