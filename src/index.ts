export * from './app-spec';
export * from './labels';
export * from './rules';
export * from './secure-deployment';
export * from './app-service';
