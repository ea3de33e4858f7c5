import { mkdtemp, cp, writeFile, rm, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { compileInterpolation, escapeHtmlLine } from './interpolate';
import { loadTemplates } from './load-templates';
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
      await writeFile(file, (await readFile(file, 'utf8')).replace('{{product}} ·', '{{productName}} ·'));
      await expect(loadTemplates(dir)).rejects.toThrow('placeholder {{orders.productName}} is not in the template\'s data schema');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
