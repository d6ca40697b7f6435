// Report items held back for the digest or until quiet hours end. One crash-safe file per item, so a held
// alert survives restarts; it is removed only after the message it went into is safely in the outbox.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { readIfExists, writeFileAtomicAsync } from '../store/atomic.ts';
import type { ReportItem } from './report.ts';

export interface HeldItem {
  id: string;
  heldAt: string;
  /** 'digest': waits for the digest time; 'quiet': waits for quiet hours to end (or joins the digest). */
  reason: 'digest' | 'quiet';
  item: ReportItem;
  /** Where it goes ('email', channel names), as the policy decided when it was held; absent: every target. */
  targets?: string[];
}

export class HeldQueue {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'outbox', 'held');
  }

  async add(item: ReportItem, reason: HeldItem['reason'], now: Date, targets?: string[]): Promise<HeldItem> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const held: HeldItem = {
      id: `${now.getTime().toString(36).padStart(9, '0')}-${randomBytes(4).toString('hex')}`,
      heldAt: now.toISOString(),
      reason,
      item,
      ...(targets ? { targets } : {}),
    };
    await writeFileAtomicAsync(path.join(this.dir, `${held.id}.json`), JSON.stringify(held) + '\n', {
      mode: 0o600,
    });
    return held;
  }

  /** Oldest first. */
  async list(): Promise<HeldItem[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const items: HeldItem[] = [];
    for (const name of names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort()) {
      const text = await readIfExists(path.join(this.dir, name));
      if (text === undefined) continue;
      try {
        items.push(JSON.parse(text) as HeldItem);
      } catch {
        // atomic writes make this unreachable; leave the file for a human
      }
    }
    return items;
  }

  async remove(ids: string[]): Promise<void> {
    for (const id of ids) await fs.rm(path.join(this.dir, `${id}.json`), { force: true });
  }
}
