'use client';

import { useTranslations } from 'next-intl';
import { useCallback, useEffect, useState } from 'react';

interface SessionStatus {
  required: boolean;
  authenticated: boolean;
  via: string | null;
}

/**
 * Both ways a stream can be authenticated, side by side: the token that `fetch()` sends as
 * `Authorization: Bearer`, and the session cookie that `EventSource` (which cannot send headers)
 * gets from `POST /api/session`.
 */
export function AuthBar({ token, onTokenChange }: { token: string; onTokenChange: (token: string) => void }) {
  const t = useTranslations('authBar');
  const [status, setStatus] = useState<SessionStatus>();
  const [message, setMessage] = useState('');

  const refresh = useCallback(async () => {
    const response = await fetch('/api/session', { cache: 'no-store' });
    if (response.ok) setStatus((await response.json()) as SessionStatus);
  }, []);

  // The session lives on the server: ask it once on mount (the answer arrives in a callback).
  useEffect(() => {
    fetch('/api/session', { cache: 'no-store' })
      .then((response) => (response.ok ? (response.json() as Promise<SessionStatus>) : undefined))
      .then((value) => value && setStatus(value))
      .catch(() => setMessage(t('unreachable')));
  }, [t]);

  async function signIn() {
    const response = await fetch('/api/session', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    const body = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
    setMessage(response.ok ? t('cookieSet') : (body.error?.message ?? `HTTP ${response.status}`));
    await refresh();
  }

  async function signOut() {
    await fetch('/api/session', { method: 'DELETE' });
    setMessage(t('cookieCleared'));
    await refresh();
  }

  return (
    <div className="panel auth-bar" data-testid="auth-bar">
      <span className="note" data-testid="auth-status">
        {status === undefined
          ? t('checking')
          : status.required
            ? t(status.authenticated ? 'requiredIn' : 'requiredOut')
            : t('open')}
      </span>
      <label>
        {t('tokenLabel')}{' '}
        <input value={token} onChange={(event) => onTokenChange(event.target.value)} placeholder={t('tokenPlaceholder')} data-testid="token" />
      </label>
      <button type="button" onClick={signIn} disabled={!token} data-testid="sign-in">
        {t('signIn')}
      </button>
      <button type="button" onClick={signOut} data-testid="sign-out">
        {t('signOut')}
      </button>
      {message ? (
        <span className="note" data-testid="auth-message" role="status">
          {message}
        </span>
      ) : null}
    </div>
  );
}
