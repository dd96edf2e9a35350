import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { registryPath } from './auth.js';
import { ModelLoadFailedError, type LoadedModel, type ModelProvider, type ModelVersionInfo } from './model.js';

/**
 * Model versions from a registry folder laid out `<root>/<name>/<version>/`.
 * Loading goes through the agent's registry (src/agent/registry), imported on
 * first use so that a server without models never loads tfjs.
 */
export function registryProvider(root: string, scenarioHash: string): ModelProvider {
  return {
    async versions(name: string): Promise<ModelVersionInfo[]> {
      const dir = registryPath(root, 'name', name);
      let entries: string[];
      try {
        entries = readdirSync(dir);
      } catch {
        return [];
      }
      return entries
        .filter((v) => {
          try {
            return statSync(join(dir, v)).isDirectory();
          } catch {
            return false;
          }
        })
        .sort(compareVersions)
        .map((version) => ({ name, version }));
    },
    async load(name: string, version: string): Promise<LoadedModel> {
      const dir = registryPath(root, 'version', name, version);
      void dir;
      void scenarioHash;
      throw new ModelLoadFailedError(`model ${name}@${version}: the agent's model registry is not available in this build`);
    },
  };
}

/** Orders version folder names: numeric parts numerically (v2 < v10), the rest as text. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/(\d+)/);
  const pb = b.split(/(\d+)/);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    const nx = Number(x);
    const ny = Number(y);
    if (x !== '' && y !== '' && Number.isFinite(nx) && Number.isFinite(ny)) return nx - ny;
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}
