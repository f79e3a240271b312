import { Injectable } from '@nestjs/common';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface ConsoleAsset {
  type: string;
  body: Buffer;
}

/** What `npm run build` writes for the console (console/build.mjs), by the name it is served under. */
const ASSETS: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

/**
 * Served from this process's memory, with a Content-Security-Policy that allows nothing but this
 * origin: no inline script or style, no other host (docs/console.md).
 */
export const CONSOLE_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/** The project's root: the nearest folder up from here with a package.json (the same from src/ and from dist/src/). */
function projectRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** The console's built files, read once, on first use. */
@Injectable()
export class ConsoleAssets {
  private readonly dir = join(projectRoot(__dirname), 'dist', 'console');
  private readonly loaded = new Map<string, ConsoleAsset>();

  get(name: string): ConsoleAsset | undefined {
    const type = ASSETS[name];
    if (type === undefined) return undefined;
    let asset = this.loaded.get(name);
    if (!asset) {
      const file = join(this.dir, name);
      if (!existsSync(file)) return undefined;
      asset = { type, body: readFileSync(file) };
      this.loaded.set(name, asset);
    }
    return asset;
  }
}
