// The frame around every page: who is signed in, the campaign and its time zone, the language, the menu.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { signOut, type Role, type User } from './auth';
import { selectedId, useCampaign } from './campaign';
import { label, locale, t, useLocale, type Key } from './i18n';
import { Link, useLocation } from './router';
import { zoneName } from './time';

const MENU: { href: string; key: Key; roles: Role[] }[] = [
  { href: '/', key: 'overview', roles: ['admin', 'office', 'department', 'county'] },
  { href: '/units', key: 'units', roles: ['admin', 'office', 'department', 'county'] },
  { href: '/hazards', key: 'hazards', roles: ['admin', 'office', 'department', 'county', 'enterprise', 'reviewer'] },
  { href: '/cases', key: 'cases', roles: ['admin', 'office', 'department', 'county', 'enterprise', 'reviewer'] },
  { href: '/orders', key: 'orders', roles: ['admin', 'office', 'department', 'county', 'enterprise'] },
  { href: '/notifications', key: 'notifications', roles: ['admin', 'office', 'department', 'county', 'enterprise'] },
  { href: '/spot-check', key: 'spotCheck', roles: ['admin', 'office', 'department', 'county'] },
  { href: '/ranking', key: 'ranking', roles: ['admin', 'office', 'department', 'county', 'reviewer'] },
  { href: '/roster', key: 'roster', roles: ['admin', 'office'] },
];

export function menuFor(role: Role) {
  return MENU.filter((m) => m.roles.includes(role));
}

/** Where a person lands: the overview, or the first page their role has. */
export function homeOf(role: Role): string {
  // A reviewer's work is the cases waiting for a decision.
  if (role === 'reviewer') return '/cases';
  return menuFor(role)[0]?.href ?? '/hazards';
}

export function Layout({ user, children }: { user: User; children: ComponentChildren }) {
  useLocale();
  const { path } = useLocation();
  const { list, campaign, zone } = useCampaign();
  const [open, setOpen] = useState(false);
  const section = `/${path.split('/')[1] ?? ''}`;
  return (
    <div class="shell">
      <header class="top">
        <button type="button" class="menu-toggle" aria-label="menu" onClick={() => setOpen(!open)}>
          ☰
        </button>
        <div class="brand">
          {t('appTitle')} <span class="muted">· {t('console')}</span>
        </div>
        <div class="top-right">
          {list && list.length > 0 && (
            <label class="campaign-pick">
              <span class="sr">{t('selectCampaign')}</span>
              <select value={campaign?.id} onChange={(e) => selectedId.set((e.target as HTMLSelectElement).value)} data-testid="campaign-select">
                {list.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name} · {label(c.status)}
                  </option>
                ))}
              </select>
            </label>
          )}
          <span class="zone" data-testid="zone">
            {t('timeZone')}: {zoneName(zone)}
          </span>
          <span class="who" data-testid="who">
            {user.name} · {label(user.role)}
            {user.scope ? ` · ${user.scope.length > 20 ? `${user.scope.slice(0, 8)}…` : user.scope}` : ''}
          </span>
          <button type="button" class="link" onClick={() => locale.set(locale.get() === 'en' ? 'zh-CN' : 'en')} data-testid="language">
            {t('language')}
          </button>
          <button type="button" class="link" onClick={() => void signOut()} data-testid="sign-out">
            {t('signOut')}
          </button>
        </div>
      </header>
      <nav class={`side ${open ? 'open' : ''}`} onClick={() => setOpen(false)}>
        {menuFor(user.role).map((m) => (
          <Link key={m.href} href={m.href} class={section === m.href ? 'active' : ''} data-testid={`nav-${m.key}`}>
            {t(m.key)}
          </Link>
        ))}
      </nav>
      <main class="content">{children}</main>
    </div>
  );
}
