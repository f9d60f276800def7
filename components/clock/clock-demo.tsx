'use client';

import { useState } from 'react';
import { AuthBar } from '@/components/auth-bar';
import { EventSourceClock } from './event-source-clock';
import { FetchClock } from './fetch-clock';

/** The two clock panels, with the credentials each transport can carry. */
export function ClockDemo({ url }: { url: string }) {
  const [token, setToken] = useState('demo-token');
  return (
    <>
      <AuthBar token={token} onTokenChange={setToken} />
      <div className="grid-2">
        <EventSourceClock url={url} />
        <FetchClock url={url} token={token} />
      </div>
    </>
  );
}
