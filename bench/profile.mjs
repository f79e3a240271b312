// Summarises a V8 .cpuprofile: where the service's Node process spends its time, by package
// (self time, and inclusive: the share of samples with that package anywhere on the stack) and
// by function (self time).
import fs from 'node:fs';

const SPECIAL = new Set(['(garbage collector)', '(program)', '(idle)', '(root)']);

function placeOf(callFrame) {
  const { url, functionName } = callFrame;
  if (SPECIAL.has(functionName)) return functionName;
  if (!url) return '(native)';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const dist = url.indexOf('/dist/src/');
  if (dist >= 0) return `ledgerline ${url.slice(dist + '/dist/src/'.length).replace(/\.js$/, '')}`;
  // async_hooks runs the promise hooks AsyncLocalStorage needs; the rest of Node's core
  // (streams, net, http, events, the microtask queue) is one group.
  if (url === 'node:async_hooks' || url === 'node:internal/async_hooks') return 'node:async_hooks';
  if (url.startsWith('node:')) return 'node core';
  return url.replace(/^file:\/\//, '');
}

export function summariseProfile(file, { top = 15 } = {}) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (profile.error) return { error: profile.error };
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  // Samples taken inside the profile hook are the profiler's own cost (stopping and serialising).
  const hookIds = new Set();
  const inHook = (id) => {
    for (let at = id; at !== undefined; at = parent.get(at)) if (byId.get(at).callFrame.url.includes('profile-hook')) return true;
    return false;
  };
  for (const node of profile.nodes) if (inHook(node.id)) hookIds.add(node.id);

  const selfByNode = new Map();
  let total = 0;
  profile.samples.forEach((id, index) => {
    if (hookIds.has(id)) return;
    const delta = profile.timeDeltas[index] ?? 0;
    selfByNode.set(id, (selfByNode.get(id) ?? 0) + delta);
    total += delta;
  });

  const selfByPlace = new Map();
  const inclusiveByPlace = new Map();
  const selfByFunction = new Map();
  for (const [id, micros] of selfByNode) {
    const node = byId.get(id);
    const place = placeOf(node.callFrame);
    selfByPlace.set(place, (selfByPlace.get(place) ?? 0) + micros);
    if (place !== '(idle)') {
      const fn = SPECIAL.has(place) ? place : `${node.callFrame.functionName || '(anonymous)'} (${place}${node.callFrame.url ? `:${node.callFrame.lineNumber + 1}` : ''})`;
      selfByFunction.set(fn, (selfByFunction.get(fn) ?? 0) + micros);
    }
    const onStack = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const p = placeOf(byId.get(at).callFrame);
      if (p !== '(root)') onStack.add(p);
    }
    for (const p of onStack) inclusiveByPlace.set(p, (inclusiveByPlace.get(p) ?? 0) + micros);
  }
  const idle = selfByPlace.get('(idle)') ?? 0;
  const busy = total - idle;
  const rank = (map, n) =>
    [...map.entries()]
      .filter(([place]) => place !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, micros]) => ({ name, share: busy > 0 ? micros / busy : 0 }));
  return {
    seconds: total / 1e6,
    busyShare: total > 0 ? busy / total : 0,
    selfByPlace: rank(selfByPlace, top),
    inclusiveByPlace: rank(inclusiveByPlace, top + 10),
    selfByFunction: rank(selfByFunction, top),
  };
}
