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

/**
 * Why a lifecycle step is refused, stable for code to branch on (like
 * BID_ISSUE_CODES for validation); the reason beside it is for people.
 */
export const BID_REFUSAL_CODES = ['status_forbids_action', 'gate_closed', 'gate_closure_unknown'] as const;
export type BidRefusalCode = (typeof BID_REFUSAL_CODES)[number];

export type BidTransitionResult = { ok: true; status: BidStatus } | { ok: false; code: BidRefusalCode; reason: string };

/**
 * The sentence for a refusal, with the verb of what was attempted ("cancel",
 * or "change" for an edit, which is refused exactly when a cancellation would be).
 */
export function bidRefusalReason(code: BidRefusalCode, verb: string, status: BidStatus, gate_closure?: Date): string {
  switch (code) {
    case 'status_forbids_action':
      return `cannot ${verb} a bid that is ${status}`;
    case 'gate_closure_unknown':
      return `${verb === 'cancel' ? 'cancelling' : `${verb} `}needs the gate closure time to check against`;
    case 'gate_closed':
      return `cannot ${verb} after gate closure${gate_closure ? ` (${gate_closure.toISOString()})` : ''}`;
  }
}

/** The status after `action`, or why the action is not allowed from `status`. */
export function nextBidStatus(status: BidStatus, action: BidAction, ctx?: BidTransitionContext): BidTransitionResult {
  const refuse = (code: BidRefusalCode): BidTransitionResult => ({ ok: false, code, reason: bidRefusalReason(code, action, status, ctx?.gate_closure) });
  const to = BID_TRANSITIONS[status]?.[action];
  if (!to) return refuse('status_forbids_action');
  if (action === 'cancel') {
    if (!ctx) return refuse('gate_closure_unknown');
    if (ctx.now.getTime() >= ctx.gate_closure.getTime()) return refuse('gate_closed');
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
