import { describe, expect, it } from 'vitest';
import { storable, unstorableFields, unstorableReason } from '../../domain/text';

const LONE_HIGH = '\ud800';
const LONE_LOW = '\udc00';

describe('unstorableReason', () => {
  it('accepts Chinese, emoji, right-to-left text and ordinary control characters', () => {
    for (const ok of ['配电室线路老化', '🔥 fire', 'مرحبا', 'line\nbreak\ttab', '']) expect(unstorableReason(ok)).toBeNull();
  });

  it('refuses U+0000 and a lone surrogate, saying which', () => {
    expect(unstorableReason('a\u0000b')).toMatch(/U\+0000/);
    expect(unstorableReason(`a${LONE_HIGH}b`)).toMatch(/surrogate/);
    expect(unstorableReason(`${LONE_LOW}`)).toMatch(/surrogate/);
  });
});

describe('unstorableFields', () => {
  it('names every unstorable string with its path, through objects and arrays', () => {
    const value = { note: 'ok', evidence: `bad${LONE_HIGH}`, attachments: [{ name: 'a.jpg' }, { name: 'b\u0000.jpg' }], deep: { deeper: ['x', '\u0000'] } };
    expect(unstorableFields(value).map((e) => e.field)).toEqual(['evidence', 'attachments[1].name', 'deep.deeper[1]']);
  });

  it('prefixes the path it is given and names the body itself for a bare string', () => {
    expect(unstorableFields({ text: '\u0000' }, 'content')).toEqual([{ field: 'content.text', reason: expect.stringMatching(/U\+0000/) }]);
    expect(unstorableFields('\u0000')).toEqual([{ field: 'body', reason: expect.any(String) }]);
  });

  it('refuses an object key that cannot be stored, naming it escaped rather than echoed', () => {
    expect(unstorableFields({ 'k\u0000': 1 })).toEqual([{ field: 'k\\u0000', reason: expect.stringMatching(/^field name/) }]);
  });

  it('finds nothing in storable values (numbers, booleans, null, nested Chinese text)', () => {
    expect(unstorableFields({ n: 1, b: true, z: null, t: ['隐患', { x: '整改' }] })).toEqual([]);
  });
});

describe('storable', () => {
  it('replaces U+0000 and lone surrogates with U+FFFD everywhere, keys included, and keeps the rest', () => {
    const made = storable({ name: 'a\u0000b', list: [`c${LONE_HIGH}`, 3, null], ['k\u0000']: '🔥隐患' });
    expect(made).toEqual({ name: 'a\uFFFDb', list: ['c\uFFFD', 3, null], 'k\uFFFD': '🔥隐患' });
    expect(unstorableFields(made)).toEqual([]);
  });

  it('leaves storable text untouched (a valid surrogate pair is not split)', () => {
    expect(storable('😀 配电室')).toBe('😀 配电室');
  });
});
