import { inboxDesk } from './desks/inbox/adapter.js';
import { webChannel } from './channels/web/adapter.js';
import type { ChannelAdapter, DeskAdapter, LegAdapter } from './core/adapter.js';
import type { LegPolicy } from './core/fanout.js';
import type { Conversation, Leg } from './core/model.js';
import { ParleyError } from './core/errors.js';

// The registry of adapters on this node. Vendor adapters register here too; tests register fakes.
export class Adapters {
  private readonly channels = new Map<string, ChannelAdapter>();
  private readonly desks = new Map<string, DeskAdapter>();

  constructor(channels: ChannelAdapter[] = [webChannel], desks: DeskAdapter[] = [inboxDesk]) {
    for (const c of channels) this.channels.set(c.id, c);
    for (const d of desks) this.desks.set(d.id, d);
  }

  addChannel(a: ChannelAdapter): void {
    this.channels.set(a.id, a);
  }

  addDesk(a: DeskAdapter): void {
    this.desks.set(a.id, a);
  }

  get(leg: Leg, id: string): LegAdapter {
    const a = leg === 'channel' ? this.channels.get(id) : this.desks.get(id);
    if (!a) throw new ParleyError('CONFIG', `No ${leg} adapter "${id}" is configured.`);
    return a;
  }

  legsFor = (c: Pick<Conversation, 'channel' | 'desk'>): LegPolicy[] => {
    const ch = this.get('channel', c.channel);
    const dk = this.get('desk', c.desk);
    return [
      { leg: 'channel', adapter: ch.id, readsLog: ch.readsLog === true, wants: (e) => ch.wants(e) },
      { leg: 'desk', adapter: dk.id, readsLog: dk.readsLog === true, wants: (e) => dk.wants(e) },
    ];
  };
}
