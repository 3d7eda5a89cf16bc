export * from './events';
export * from './recording';
export * from './framing';
export * from './decode';
