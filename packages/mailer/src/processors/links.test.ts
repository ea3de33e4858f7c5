import path from 'node:path';
import { loadTemplates, translator } from '../templates';
import { renewUrl } from './links';

const TEMPLATES = path.resolve(__dirname, '../../../../templates');

describe('renewUrl', () => {
  it('without RENEW_URL_TEMPLATE mails support, the subject naming the order in the email\'s language', async () => {
    const set = await loadTemplates(TEMPLATES);
    const config = { supportEmail: 'support@example.com' };
    expect(renewUrl(config, 'ORD-1 & 2', translator(set, 'de'))).toBe(`mailto:support@example.com?subject=${encodeURIComponent('Verlängerung von Auftrag ORD-1 & 2')}`);
    expect(renewUrl(config, 'ORD-7', translator(set, 'ja'))).toBe(`mailto:support@example.com?subject=${encodeURIComponent('注文 ORD-7 の更新')}`);
    expect(renewUrl(config, 'ORD-7', translator(set, 'en'))).toBe('mailto:support@example.com?subject=Renewal%20of%20order%20ORD-7');
  });

  it('with RENEW_URL_TEMPLATE puts the order id, encoded, in its place', async () => {
    const set = await loadTemplates(TEMPLATES);
    expect(renewUrl({ supportEmail: 's@example.com', renewUrlTemplate: 'https://shop.example/renew?o={orderId}' }, 'ORD 1/2', translator(set, 'fr'))).toBe('https://shop.example/renew?o=ORD%201%2F2');
  });
});
