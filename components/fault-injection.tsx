'use client';

// Client side of the fault-injection controls (the Drop connection buttons), shared by both demos.
// Whether the server has fault injection on is known on the server only: the root layout reads it
// and provides it here, so a control can hide itself instead of failing when pressed.

import { useTranslations } from 'next-intl';
import { createContext, use, type ReactNode } from 'react';

const FaultInjection = createContext(false);

/** Tells the controls below it whether the server has fault injection on. */
export function FaultInjectionProvider({ enabled, children }: { enabled: boolean; children: ReactNode }) {
  return <FaultInjection value={enabled}>{children}</FaultInjection>;
}

/** A random tag naming one panel's or column's connections, for the "drop connection" control. */
export function newClientTag(prefix: string): string {
  // Not crypto.randomUUID(): browsers only offer it on secure origins, and this is no secret.
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * The "Drop connection" button (`<testId>-drop`), or, while the server has fault injection off,
 * a line saying how to turn it on (`<testId>-drop-off`).
 */
export function DropButton({ testId, disabled, onDrop }: { testId: string; disabled: boolean; onDrop: () => void }) {
  const t = useTranslations('faultInjection');
  if (!use(FaultInjection)) {
    return (
      <span className="note" data-testid={`${testId}-drop-off`}>
        {t.rich('off', { code: (chunks) => <code>{chunks}</code> })}
      </span>
    );
  }
  return (
    <button type="button" onClick={onDrop} disabled={disabled} data-testid={`${testId}-drop`}>
      {t('drop')}
    </button>
  );
}
