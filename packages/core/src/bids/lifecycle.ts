/**
 * Bid lifecycle:
 *   draft → submitted → accepted | rejected → (accepted) cleared → settled
 *   draft | submitted | accepted → cancelled, only before gate closure.
 * Validation happens at submission: the server moves a submitted bid to
 * accepted or rejected in the same step (`statusAfterValidation`).
 */
import type { BidIssue, BidStatus } from './types.js';

export const BID_ACTIONS = ['submit', 'accept', 'reject', 'clear', 'settle', 'cancel'] as const;
export type BidAction = (typeof BID_ACTIONS)[number];

export const BID_TRANSITIONS: Readonly<Record<BidStatus, Readonly<Partial<Record<BidAction, BidStatus>>>>> = {
  draft: { submit: 'submitted', cancel: 'cancelled' },
  submitted: { accept: 'accepted', reject: 'rejected', cancel: 'cancelled' },
  accepted: { clear: 'cleared', cancel: 'cancelled' },
  rejected: {},
  cleared: { settle: 'settled' },
  settled: {},
  cancelled: {},
};

/** Needed to decide cancellations: they are allowed only while the gate is open. */
export interface BidTransitionContext {
  now: Date;
  gate_closure: Date;
}

export type BidTransitionResult = { ok: true; status: BidStatus } | { ok: false; reason: string };

/** The status after `action`, or why the action is not allowed from `status`. */
export function nextBidStatus(status: BidStatus, action: BidAction, ctx?: BidTransitionContext): BidTransitionResult {
  const to = BID_TRANSITIONS[status]?.[action];
  if (!to) return { ok: false, reason: `cannot ${action} a bid that is ${status}` };
  if (action === 'cancel') {
    if (!ctx) return { ok: false, reason: 'cancelling needs the gate closure time to check against' };
    if (ctx.now.getTime() >= ctx.gate_closure.getTime())
      return { ok: false, reason: `cannot cancel after gate closure (${ctx.gate_closure.toISOString()})` };
  }
  return { ok: true, status: to };
}

/** Whether some action leads from `from` to `to` (cancellation also checks the gate). */
export function canBidTransition(from: BidStatus, to: BidStatus, ctx?: BidTransitionContext): boolean {
  const actions = BID_TRANSITIONS[from] ?? {};
  for (const [action, target] of Object.entries(actions)) {
    if (target === to) return nextBidStatus(from, action as BidAction, ctx).ok;
  }
  return false;
}

/** Statuses from which no action leads anywhere. */
export function isTerminalBidStatus(status: BidStatus): boolean {
  return Object.keys(BID_TRANSITIONS[status]).length === 0;
}

/** A bid may be edited (as a new version) or cancelled while it is draft, submitted or accepted and the gate is open. */
export function isBidEditable(status: BidStatus, ctx: BidTransitionContext): boolean {
  return nextBidStatus(status, 'cancel', ctx).ok;
}

/** Submission outcome: accepted when validation found nothing, rejected (with the issues as reasons) otherwise. */
export function statusAfterValidation(issues: readonly BidIssue[]): 'accepted' | 'rejected' {
  return issues.length === 0 ? 'accepted' : 'rejected';
}
