/**
 * What a target kind is: one object in its own folder (targets/<kind>/index.ts), registered by one line in
 * targets/registry.ts. Delivery, `check`, `explain` and the local inbox ask the kind — nothing outside
 * targets/ names one. A kind brings:
 *   config       its rules.yaml schema (built with the zod the build step hands in), cross-field problems,
 *                and the normalized config the Worker receives
 *   credentials  the `${NAME}` strings it needs to reach its receiver (unset → the local inbox takes it)
 *   render       pure: a notification of one event for one route
 *   send         one attempt, classified (the only I/O); its receipt says what a later update needs
 *   pace         the receiver its sends are paced at, and the default interval
 *   lifecycle    what it keeps of a sent alert, how a resolve reaches it, and the changes in place it can
 *                make (a thread note, a relabel) — absent where the receiver cannot be changed
 *   digest       (optional) a paging-budget digest, for kinds that can show one
 *   group        (optional) one notification of a group: the group, its members, why it was sent
 *   inbox        how the local inbox stores, answers and shows its notifications
 */
import type { z } from 'zod';
import type { AlertTarget, GroupFlush, InboxItem, PostedMessage, RetryPolicy, Templates } from '../core/delivery.ts';
import type { EnvLookup } from '../core/interpolate.ts';
import type { Outcome, Receipt } from '../core/outcome.ts';
import type { SchemaParts } from '../core/schema-parts.ts';
import type { Rendered, RenderInput } from '../render/overrides.ts';

/** The fields every target's config has; each kind adds its own. */
export interface TargetConfigBase {
  readonly kind: string;
  readonly templates?: Templates;
  readonly retry?: RetryPolicy;
  /** At most one send per this long (default: the kind's); 0 turns pacing off. */
  readonly paceMs?: number;
}

/** A target's normalized config as the Worker receives it (the kind that owns it reads the rest). */
export type TargetConfig = TargetConfigBase;

/** A rendered notification: the kind that rendered it, and what it sends. */
export interface Notification {
  readonly kind: string;
  readonly payload: unknown;
}

export interface SendDeps {
  readonly env: EnvLookup;
  readonly fetch: typeof fetch;
  readonly now: () => number;
}

/** Where a notification came from, as the local inbox shows it. */
export interface InboxOrigin {
  readonly target: string;
  readonly event: { readonly source: string; readonly id: string; readonly type: string };
  readonly job: string;
  readonly route: string;
}

/** The local inbox as delivery and the kinds use it (a Durable Object behind it; see pipeline/inbox-sink.ts). */
export interface InboxOps {
  /** True when this target's notifications go to the inbox (its credentials are unset). */
  takes(target: TargetConfig): boolean;
  post(item: InboxOrigin & { readonly kind: string; readonly payload: unknown; readonly held?: string }): Promise<number>;
  update(id: number, payload: unknown): Promise<boolean>;
  reply(id: number, text: string, replyId: string | null): Promise<string | null>;
}

/** What a send needs: the env (secrets), the network, the clock, the job's stable id, and the inbox when on. */
export interface SendContext extends SendDeps {
  readonly messageId: string;
  readonly inbox: InboxOps | null;
}

/** What a sent alert keeps for later: where the message is, the thread reply, the dedup key, the message. */
export type Remembered = Pick<AlertTarget, 'slack' | 'dedupKey' | 'message'>;

/** How an open alert's message is relabelled in place. */
export type Relabel =
  | { readonly as: 'flapping'; readonly flaps: number; readonly count: number }
  | { readonly as: 'resolved'; readonly openedAt: number; readonly resolvedAt: number; readonly count: number };

/** Changes in place to what a target already shows (a Slack bot's message and its thread). */
export interface InPlace {
  /**
   * A quiet reply in the thread of the posted message, or the update of an earlier reply (`replyTs`); with the
   * new reply's id, which the next note updates.
   */
  note(
    at: { channel: string; ts: string },
    text: string,
    replyTs: string | null,
    ctx: SendContext,
  ): Promise<{ readonly outcome: Outcome; readonly replyTs: string | null }>;
  /** The posted message relabelled, then (optionally) a reply saying why. */
  relabel(sent: AlertTarget, label: Relabel, reply: string | null, ctx: SendContext): Promise<Outcome>;
  /** The posted message replaced by a new one (a group's next notification), then (optionally) a reply saying what changed. */
  replace(at: { channel: string; ts: string }, message: PostedMessage, reply: string | null, ctx: SendContext): Promise<Outcome>;
}

export interface TargetKind<C extends TargetConfigBase = TargetConfigBase, P = unknown, I = unknown> {
  readonly kind: C['kind'];
  /** How people call it ("Slack"): the inbox's filter, `check`'s messages. */
  readonly label: string;
  readonly config: {
    /** Its rules.yaml entry (a strict object whose `kind` is a literal). */
    schema(parts: SchemaParts): z.ZodObject;
    problems?(input: I): { path: string[]; message: string }[];
    toConfig(input: I): C;
  };
  credentials(config: C): readonly string[];
  render(config: C, input: RenderInput): Rendered<P>;
  send(payload: P, config: C, ctx: SendContext): Promise<Outcome>;
  /** One line saying what a notification would show (`switchyard explain`). */
  preview(payload: P): string;
  readonly pace: { readonly defaultMs: number; receiver(config: C, name: string): string };
  /** Its notifications page someone: a route's paging budget counts them. */
  readonly pages?: boolean;
  readonly lifecycle?: {
    /** What an alert keeps after a send (default: the receipt's Slack position or PagerDuty dedup key). */
    remember?(payload: P, receipt: Receipt | null): Remembered;
    /** A resolve sent as a notification of its own (PagerDuty's resolve by dedup key); null: not this way. */
    resolveWith?(sent: AlertTarget): P | null;
    /** Changes in place, for a config that allows them (a Slack bot; not an incoming webhook). */
    inPlace?(config: C): InPlace | null;
  };
  /** A paging budget's digest, for kinds that can show one. */
  digest?(input: DigestInput): P;
  /**
   * One notification of a group (a route's group_by): the group, its members, why it was sent. `render` is the
   * notification as an event of the relay's own with the route's (and target's) templates, for the parts a
   * template may replace (`prepare(render).part(...)`; templates read `data.counts`, `data.alerts`,
   * `meta.notification_reason`, …).
   */
  group?(config: C, input: { readonly flush: GroupFlush; readonly targetName: string; readonly render: RenderInput }): Rendered<P>;
  readonly inbox: {
    /** What the inbox stores (default: the payload). */
    payload?(config: C, payload: P): unknown;
    /** The answer and receipt of a send the inbox took, `id` being the item's. */
    answer(payload: P, id: number): { readonly status: number; readonly receipt: Receipt | null };
    /** Items of one incident (a dedup key) shown as one card: its key and this item's action. */
    incident?(payload: unknown): { readonly key: string; readonly action: string } | null;
    /** The item's body as HTML (escaped; `incident`: the whole incident's items, oldest first). */
    view(item: InboxItem, incident: readonly InboxItem[]): string;
  };
}

/** What a digest says: the route, its budget, the pages held. */
export interface DigestInput {
  readonly route: string;
  readonly max: number;
  readonly perMs: number;
  readonly held: readonly { readonly jobId: string; readonly source: string; readonly eventId: string; readonly type: string; readonly at: number }[];
  readonly heldCount: number;
}

/** A target kind with its types erased, as the registry keeps it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyTargetKind = TargetKind<any, any, any>;
