// Sign-in, "forgot your password" and the page the mailed reset link opens (/reset-password?token=…).
import { useState } from 'preact/hooks';
import { ApiError } from '../api';
import { confirmPasswordReset, requestPasswordReset, signIn } from '../auth';
import { locale, t, useLocale } from '../i18n';
import { Link, useLocation } from '../router';

function Frame({ title, children }: { title: string; children: preact.ComponentChildren }) {
  useLocale();
  return (
    <div class="auth-page">
      <form class="auth-card" onSubmit={(e) => e.preventDefault()}>
        <div class="auth-brand">{t('appTitle')}</div>
        <h1>{title}</h1>
        {children}
        <button type="button" class="link lang" onClick={() => locale.set(locale.get() === 'en' ? 'zh-CN' : 'en')}>
          {t('language')}
        </button>
      </form>
    </div>
  );
}

function refusal(err: unknown): string {
  if (!(err instanceof ApiError)) return String(err);
  if (err.status === 401) return t('wrongPassword');
  if (err.status === 423 || err.status === 429) return `${t('locked')}${err.retryAfter ? `；${t('retryIn', { n: err.retryAfter })}` : ''}`;
  return err.message;
}

export function SignIn() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [forgot, setForgot] = useState(false);
  const [sent, setSent] = useState(false);

  const submit = async () => {
    setBusy(true);
    setMessage(null);
    try {
      if (forgot) {
        await requestPasswordReset(email);
        setSent(true);
      } else {
        await signIn(email, password);
      }
    } catch (err) {
      setMessage(refusal(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Frame title={forgot ? t('resetPassword') : t('signIn')}>
      <label>
        {t('email')}
        <input type="email" name="email" autocomplete="username" required value={email} onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />
      </label>
      {!forgot && (
        <label>
          {t('password')}
          <input type="password" name="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
        </label>
      )}
      {message && (
        <p class="error" role="alert" data-testid="sign-in-error">
          {message}
        </p>
      )}
      {sent && <p class="ok">{t('resetSent')}</p>}
      <button type="submit" class="primary" disabled={busy} onClick={() => void submit()} data-testid="sign-in">
        {forgot ? t('sendResetLink') : t('signIn')}
      </button>
      <button type="button" class="link" onClick={() => (setForgot(!forgot), setSent(false), setMessage(null))}>
        {forgot ? t('backToSignIn') : t('forgotPassword')}
      </button>
    </Frame>
  );
}

export function ResetPassword() {
  const { query } = useLocation();
  const token = query.get('token') ?? '';
  const [password, setPassword] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const submit = async () => {
    setMessage(null);
    try {
      await confirmPasswordReset(token, password);
      setDone(true);
    } catch (err) {
      setMessage(err instanceof ApiError ? err.message : String(err));
    }
  };
  return (
    <Frame title={t('resetPassword')}>
      {done ? (
        <p class="ok" data-testid="reset-done">
          {t('resetDone')}
        </p>
      ) : (
        <>
          <label>
            {t('newPassword')}
            <input type="password" name="new-password" autocomplete="new-password" minLength={12} required value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
          </label>
          {message && (
            <p class="error" role="alert">
              {message}
            </p>
          )}
          <button type="submit" class="primary" onClick={() => void submit()} disabled={!token}>
            {t('resetPassword')}
          </button>
        </>
      )}
      <Link href="/" class="link">
        {t('backToSignIn')}
      </Link>
    </Frame>
  );
}
