// The console: who is signed in decides what is shown; the path decides which page.
import { render } from 'preact';
import { useEffect } from 'preact/hooks';
import { loadSession, session, type User } from './auth';
import { campaigns } from './campaign';
import { useLocale } from './i18n';
import { homeOf, Layout } from './layout';
import { resetNames } from './names';
import { match, navigate, useLocation } from './router';
import { useStore } from './store';
import { CaseDetail, Cases } from './pages/Cases';
import { Enterprise } from './pages/Enterprise';
import { HazardDetail } from './pages/HazardDetail';
import { Hazards } from './pages/Hazards';
import { Notifications } from './pages/Notifications';
import { OrderDetail, Orders } from './pages/Orders';
import { Overview } from './pages/Overview';
import { Ranking } from './pages/Ranking';
import { Roster } from './pages/Roster';
import { ResetPassword, SignIn } from './pages/SignIn';
import { SpotCheck } from './pages/SpotCheck';
import { Units } from './pages/Units';
import './styles.css';

// Another person signing in on this browser must not see the last one's cached lists.
session.subscribe((s) => {
  if (!s) {
    campaigns.set(undefined);
    resetNames();
  }
});

function Page({ user }: { user: User }) {
  const { path } = useLocation();
  const role = user.role;
  const home = homeOf(role);
  useEffect(() => {
    if (path === '/' && home !== '/') navigate(home, true);
  }, [path, home]);
  let m: Record<string, string> | null;
  if (path === '/' || path === '') return home === '/' ? <Overview /> : null;
  if (path === '/units') return <Units />;
  if (path === '/hazards') return <Hazards role={role} />;
  if ((m = match('/hazards/:id', path))) return <HazardDetail key={m.id} id={m.id!} role={role} />;
  if (path === '/cases') return <Cases />;
  if ((m = match('/cases/:id', path))) return <CaseDetail key={m.id} id={m.id!} role={role} />;
  if (path === '/orders') return <Orders />;
  if ((m = match('/orders/:id', path))) return <OrderDetail key={m.id} id={m.id!} />;
  if ((m = match('/enterprises/:id', path))) return <Enterprise key={m.id} id={m.id!} />;
  if (path === '/notifications') return <Notifications />;
  if (path === '/spot-check') return <SpotCheck />;
  if (path === '/ranking') return <Ranking />;
  if (path === '/roster') return <Roster />;
  if (path === '/sign-in' || path === '/reset-password') {
    navigate(home, true);
    return null;
  }
  return <p class="muted">404 · {path}</p>;
}

function App() {
  useLocale();
  const s = useStore(session);
  const { path } = useLocation();
  useEffect(() => {
    void loadSession();
  }, []);
  if (path === '/reset-password' && !s) return <ResetPassword />;
  if (s === undefined) return <p class="muted boot">…</p>;
  if (s === null) return <SignIn />;
  return (
    <Layout user={s.user}>
      <Page user={s.user} />
    </Layout>
  );
}

render(<App />, document.getElementById('app')!);
