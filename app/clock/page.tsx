import type { Metadata } from 'next';
import { ClockDemo } from '@/components/clock/clock-demo';

export const metadata: Metadata = { title: 'Live clock' };

export default function ClockPage() {
  return (
    <>
      <h1>Live clock</h1>
      <p className="lead">
        One stream, <code>GET /api/clock</code>, read two ways at once. The server sends a <code>message</code> on connect,
        an <code>update</code> every tick from one shared timer, and a <code>notification</code> five seconds after each
        listener joins. Close one side and watch the other carry on.
      </p>
      <ClockDemo url="/api/clock" />
    </>
  );
}
