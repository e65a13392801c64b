/**
 * Every decoy agents report, kept on the server: which is planted where (node; for a copy of a
 * container decoy, its pod and container; path, inode, token), whether it is still there, and
 * when it was last seen intact. A decoy that an agent's heartbeat reports no longer there, when
 * the one before said it was, becomes a tamper hit on its token (and so an alert), even if the
 * agent missed the event itself: the agent was down, or the decoy went between two rescans. A
 * decoy whose policy (or, for a copy, whose container) was removed is withdrawn, quietly.
 */
import type { Logger } from 'pino';
import type { Heartbeat } from '../core/agent-protocol.js';
import { newRowId } from '../core/ids.js';
import type { FileHitDetail } from '../core/model/hit-detail.js';
import { isTokenIdShape } from '../core/ids.js';
import type { Agent } from '../store/repositories/agents.js';
import { AgentDecoyRepository, type AgentDecoy, type ReportedDecoy } from '../store/repositories/agent-decoys.js';
import type { Db } from '../store/db.js';
import type { TokenRepository } from '../store/repositories/tokens.js';
import type { HitRecorder } from './hit-recorder.js';

/** " in pod ns/name, container c" for a container copy; nothing on the host. */
const where = (decoy: AgentDecoy): string => (decoy.pod ? ` in pod ${decoy.pod}, container ${decoy.containerName ?? decoy.container}` : '');

export class DecoyInventory {
  readonly repository: AgentDecoyRepository;

  constructor(
    db: Db,
    private readonly tokens: TokenRepository,
    private readonly recorder: HitRecorder,
    private readonly log: Logger,
  ) {
    this.repository = new AgentDecoyRepository(db);
  }

  /**
   * Takes the decoys of a heartbeat the server accepted: the host decoys it watches and the copies
   * of container decoys it planted. A copy counts as there while planted; one the report shows as
   * no longer planted after it was is missing, as a host decoy is.
   */
  async heartbeat(agent: Agent, heartbeat: Heartbeat): Promise<void> {
    const host: ReportedDecoy[] = heartbeat.watched.map((w) => ({
      path: w.path,
      tokenId: w.tokenId,
      ok: w.ok,
      ...(w.error ? { error: w.error } : {}),
      ...(w.inode ? { inode: w.inode } : {}),
    }));
    const copies: ReportedDecoy[] = (heartbeat.containerDecoys ?? []).map((c) => ({
      path: c.path,
      tokenId: c.tokenId,
      ok: c.state === 'planted',
      container: { id: c.container.id, name: c.container.name, pod: `${c.pod.namespace}/${c.pod.name}`, decoy: c.decoy },
      ...(c.error ? { error: c.error } : {}),
      ...(c.inode === null ? {} : { inode: String(c.inode) }),
    }));
    const lost = await this.repository.sync(agent.id, [...host, ...copies], { containers: heartbeat.containerDecoys !== undefined });
    // The agent's own tamper event already stands for a decoy it saw go; a second hit would only
    // double the count. Only what it did not see (it was down, or the decoy went between rescans)
    // is raised here.
    const seenGoing = new Set(heartbeat.watched.filter((w) => w.tamperReported).map((w) => w.path));
    for (const decoy of lost) {
      if (!decoy.container && seenGoing.has(decoy.path)) continue;
      await this.tamper(agent, decoy);
    }
  }

  private async tamper(agent: Agent, decoy: AgentDecoy): Promise<void> {
    const id = decoy.tokenId?.toLowerCase();
    const token = id && isTokenIdShape(id) ? await this.tokens.find(id) : undefined;
    this.log.warn(
      { agentId: agent.id, node: agent.enrolledNode, path: decoy.path, pod: decoy.pod, container: decoy.containerName, token: id ?? null, error: decoy.error },
      'decoy missing from the agent report',
    );
    if (!token?.enabled || token.kind !== 'file') return;
    const now = new Date().toISOString();
    const detail: FileHitDetail = {
      type: 'file',
      node: agent.enrolledNode,
      policy: null,
      hook: null,
      actions: [],
      tamper: { time: now, path: decoy.path, change: 'deleted', process: null },
      // A tamper event has no pod of its own: the summary names where the copy was.
      summary: `decoy missing from the agent's report: ${decoy.path}${where(decoy)}${decoy.error ? ` (${decoy.error})` : ''}`,
    };
    await this.recorder.record(token, { id: newRowId(), source: agent.enrolledNode, userAgent: null, detail, at: now, agentId: agent.id });
  }
}
