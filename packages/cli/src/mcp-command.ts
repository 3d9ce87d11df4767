import { lazyRepo, serveMcpOverStdio } from '@strata/agent';
import { COMPILER_VERSION } from '@strata/compiler';
import { commitTimeFromEnv, openCheckedWorkspace, type WorkspaceOptions } from './agent-workspace.js';
import type { Io } from './main.js';

/**
 * `strata mcp [--repo DIR] [--data DIR] [--session FILE]`: the authoring tools as an MCP server
 * over stdio (packages/agent/src/surfaces/mcp-server.ts). stdout carries only the protocol: the
 * console is pointed at stderr before anything else runs, so a stray log cannot corrupt it.
 *
 * Exit status: 0 the client closed the connection; 1 a bad workspace (data directory, session file, a --repo that is no strategies repository).
 */

export async function runMcpCommand(opts: WorkspaceOptions, io: Io): Promise<number> {
  const toStderr = (...args: unknown[]) => console.error(...args);
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
  console.warn = toStderr;
  const ws = await openCheckedWorkspace('mcp', opts, io);
  if (!ws) return 1;
  const repo = lazyRepo(ws.repoDir);
  io.err(`strata mcp: serving the authoring tools over stdio (repo ${ws.repoDir}, data ${ws.dataDir}, session ${ws.store.path})`);
  await serveMcpOverStdio({
    tools: ws.tools,
    sink: repo.sink(commitTimeFromEnv()),
    store: ws.store,
    version: COMPILER_VERSION,
    log: (line) => io.err(line),
  });
  return 0;
}
