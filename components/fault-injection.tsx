'use client';

// Client side of the fault-injection controls (the Drop connection buttons), shared by both demos.
// Whether the server has fault injection on is known on the server only: the root layout reads it
// and provides it here, so a control can hide itself instead of failing when pressed.

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
  if (!use(FaultInjection)) {
    return (
      <span className="note" data-testid={`${testId}-drop-off`}>
        Drop connection needs fault injection: start the server with <code>SSE_FAULT_INJECTION=on</code>.
      </span>
    );
  }
  return (
    <button type="button" onClick={onDrop} disabled={disabled} data-testid={`${testId}-drop`}>
      Drop connection
    </button>
  );
}
