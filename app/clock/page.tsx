import type { Metadata } from 'next';
import { ClockDemo } from '@/components/clock/clock-demo';

export const metadata: Metadata = { title: 'Live clock' };

export default function ClockPage() {
  return (
    <>
      <h1>Live clock</h1>
      <p className="lead">
        One stream, <code>GET /api/clock</code>, read two ways at once. The server sends a <code>message</code> on connect,
        an <code>update</code> every tick from one shared timer, and each connection its own <code>notification</code>{' '}
        about five seconds after it connected. The notification carries no id and is never replayed, so the last event id
        stays on the shared sequence of updates. Close one side and watch the other carry on.
      </p>
      <ClockDemo url="/api/clock" />
    </>
  );
}
