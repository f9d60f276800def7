export * from './types';
export * from './errors';
export * from './encoder';
export * from './parser';
export * from './stream';
export * from './backoff';
export * from './client';
export * from './server';
