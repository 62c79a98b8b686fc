import { describe, expect, it } from 'vitest';
import { CONSOLE_PATHS } from '../../api/plugins/console';
import { consoleLink, type ConsoleObject } from '../../domain/console-links';

const served = (path: string) =>
  CONSOLE_PATHS.some((pattern) => {
    const p = pattern.split('/');
    const s = path.split('/');
    return p.length === s.length && p.every((seg, i) => seg.startsWith(':') || seg === s[i]);
  });

describe('links in mails', () => {
  it.each(['hazards', 'cases', 'orders'] as ConsoleObject[])('point a %s mail at a console page the API serves, not at /v1', (kind) => {
    const id = '7b1c2d3e-0000-4000-8000-000000000001';
    const link = consoleLink('https://hazards.example.cn/', kind, id);
    expect(link).toBe(`https://hazards.example.cn/${kind}/${id}`);
    expect(served(new URL(link).pathname)).toBe(true);
  });
});
