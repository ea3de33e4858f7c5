/** Configuration: parsed once, at the edge (see load-env.ts). */
export { loadEnv, type Env, type Role } from './load-env';
export { EnvError } from './env-error';
export { ENV_VARIABLES } from './schema';
export { parseDuration } from '@tickler/domain';
