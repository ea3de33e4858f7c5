import { mkdtemp, cp, writeFile, rm, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { compileInterpolation, escapeHtmlLine } from './interpolate';
import { loadTemplates } from './load-templates';
import { renderEmail, translator } from './render-email';
import { templateDefinition } from './schemas';
import { compileRepeating, splitRepeats } from './repeat';

const TEMPLATES = path.resolve(__dirname, '../../../../templates');

describe('repeated blocks', () => {
  const source = '<h1>{{count}} for {{name}}</h1>{{@each orders}}<p>{{product}}: {{@before}}in {{days}}{{@/before}}{{@after}}{{days}} ago{{@/after}}{{@license}} (license){{@/license}}</p>{{@end}}<footer>{{name}}</footer>';
  const fill = compileRepeating(source, escapeHtmlLine);

  it('repeats the body per item, escaped, with the sections of each item\'s variant and kind', () => {
    expect(fill({
      count: 2, name: 'A&B',
      orders: [{ product: '<SDK>', days: '3 days', variant: 'before', kind: 'license' }, { product: 'Scan', days: '1 day', variant: 'after', kind: 'maintenance' }],
    })).toBe('<h1>2 for A&amp;B</h1><p>&lt;SDK&gt;: in 3 days (license)</p><p>Scan: 1 day ago</p><footer>A&amp;B</footer>');
  });

  it('refuses a missing list or a missing item value (a template/schema mismatch is a bug)', () => {
    expect(() => fill({ count: 1, name: 'A' })).toThrow('Template value "orders" must be a list.');
    expect(() => fill({ count: 1, name: 'A', orders: [{ variant: 'before' }] })).toThrow('Template value "product" is missing.');
  });

  it('compiles a source without blocks exactly like a plain interpolation', () => {
    const plain = 'Hello {{name}}, {{count}}';
    expect(compileRepeating(plain, escapeHtmlLine)({ name: '<x>', count: 1 })).toBe(compileInterpolation(plain, escapeHtmlLine)({ name: '<x>', count: 1 }));
  });

  it('splits the blocks off for placeholder checks', () => {
    const { outside, blocks } = splitRepeats(source);
    expect(outside).toBe('<h1>{{count}} for {{name}}</h1><footer>{{name}}</footer>');
    expect(blocks).toEqual([{ field: 'orders', body: '<p>{{product}}: in {{days}}{{days}} ago (license)</p>' }]);
  });

  it('an item placeholder the item schema does not describe fails the template check, naming it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tickler-repeat-'));
    try {
      await cp(TEMPLATES, dir, { recursive: true });
      const file = path.join(dir, 'reminder-digest.mjml');
      await writeFile(file, (await readFile(file, 'utf8')).replace('{{product}}</div>', '{{productName}}</div>'));
      await expect(loadTemplates(dir)).rejects.toThrow('placeholder {{orders.productName}} is not in the template\'s data schema');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('nests item sections (kind, then variant)', () => {
    const nested = compileRepeating('{{@each orders}}[{{@license}}{{@before}}L-before{{@/before}}{{@after}}L-after{{@/after}}{{@/license}}{{@maintenance}}{{@before}}M-before{{@/before}}{{@/maintenance}}]{{@end}}', escapeHtmlLine);
    const orders = [{ variant: 'after', kind: 'license' }, { variant: 'before', kind: 'maintenance' }, { variant: 'before', kind: 'license' }];
    expect(nested({ orders })).toBe('[L-after][M-before][L-before]');
  });

  it('formats the messages of a block per item, with each locale\'s plurals and dates', async () => {
    const set = await loadTemplates(TEMPLATES);
    const data = templateDefinition('reminder-digest')!.sample('default', 'de', translator(set, 'de'));
    const orders = data.orders as Array<Record<string, unknown>>;
    orders[0] = { ...orders[0], daysLeft: 1, days: 1 };
    const de = renderEmail(set, 'reminder-digest', data, 'de');
    expect(de.subject).toBe('Verlängerungserinnerungen für Acme: 3 Verlängerungen');
    for (const line of ['Lizenz läuft in 1 Tag ab', 'Wartungsvertrag läuft heute ab', 'Lizenz ist seit 1 Tag abgelaufen', 'Ablaufdatum 31. Januar 2027']) expect(de.text).toContain(line);
    const ja = renderEmail(set, 'reminder-digest', templateDefinition('reminder-digest')!.sample('default', 'ja', translator(set, 'ja')), 'ja');
    for (const line of ['ライセンスの有効期限まであと14日です', '保守契約の有効期限は本日です', '有効期限 2027年1月31日']) expect(ja.text).toContain(line);
    expect(ja.html).toContain('<html lang="ja"');
  });

  it('a message inside a block may only use the item\'s fields: the template check names it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tickler-repeat-'));
    try {
      await cp(TEMPLATES, dir, { recursive: true });
      const file = path.join(dir, 'messages', 'en.json');
      const catalog = JSON.parse(await readFile(file, 'utf8')) as Record<string, Record<string, string>>;
      catalog['reminder-digest']!.renew = 'Renew order {orderNumber} of {organizationName}';
      await writeFile(file, JSON.stringify(catalog));
      await expect(loadTemplates(dir)).rejects.toThrow('message reminder-digest.renew uses {organizationName}, which is not in the items of orders');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
