export * from './version.ts';
export * from './entities.ts';
export * from './messages.ts';
export * from './hlc.ts';
export * from './customer-merge.ts';
