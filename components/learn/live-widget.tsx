'use client';

import type { Widget } from '@/lib/learn/content';
import { ClockEvents } from './clock-events';
import { ConnectionLimit } from './connection-limit';
import { FetchStream } from './fetch-stream';
import { StreamHeaders } from './stream-headers';

/** The live widget a chapter embeds by name. */
export function LiveWidget({ widget }: { widget: Widget }) {
  switch (widget) {
    case 'clock-events':
      return <ClockEvents />;
    case 'fetch-stream':
      return <FetchStream />;
    case 'stream-headers':
      return <StreamHeaders />;
    case 'connection-limit':
      return <ConnectionLimit />;
  }
}
