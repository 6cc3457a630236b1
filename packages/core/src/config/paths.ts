/**
 * Where parley keeps things. XDG directories through env-paths; `PARLEY_HOME` relocates all
 * of them under one folder (tests always set it to a temp dir).
 */
import path from 'node:path';
import envPaths from 'env-paths';

export interface ParleyPaths {
  /** Holds `config.toml`. */
  config: string;
  /** Models, the database. */
  data: string;
  cache: string;
  /** Logs. */
  state: string;
  /** Downloaded GGUF files. */
  models: string;
  /** Prompt templates (`NAME.hbs`), in the config directory. */
  templates: string;
  /** The config file parley reads. */
  configFile: string;
}

export function parleyPaths(env: NodeJS.ProcessEnv = process.env): ParleyPaths {
  const home = env.PARLEY_HOME;
  let base: Omit<ParleyPaths, 'models' | 'templates' | 'configFile'>;
  if (home) {
    const root = path.resolve(home);
    base = {
      config: path.join(root, 'config'),
      data: path.join(root, 'data'),
      cache: path.join(root, 'cache'),
      state: path.join(root, 'state'),
    };
  } else {
    const p = envPaths('parley', { suffix: '' });
    base = { config: p.config, data: p.data, cache: p.cache, state: p.log };
  }
  return {
    ...base,
    models: path.join(base.data, 'models'),
    templates: path.join(base.config, 'templates'),
    configFile: env.PARLEY_CONFIG ? path.resolve(env.PARLEY_CONFIG) : path.join(base.config, 'config.toml'),
  };
}
