"""Handler of program feedback: a questionnaire of a completed pair, kept beside the pair."""

from __future__ import annotations

from eventsourcing.domain import Aggregate

from registry import commands as c
from registry.context import CommandContext
from registry.feedback import PairFeedback, pair_feedback_id
from registry.handlers import lookups
from registry.handlers.table import handles
from registry.values import PairStatus


@handles(c.RecordPairFeedback)
def record_pair_feedback(ctx: CommandContext, cmd: c.RecordPairFeedback) -> Aggregate:
    pair = lookups.pair(ctx, cmd.pair_id)  # read only: the pair itself records nothing here
    feedback_id = pair_feedback_id(pair.id)
    if feedback_id in ctx.app.repository:
        feedback = ctx.get(PairFeedback, feedback_id, field="pair_id", entity="pair_feedback")
    else:
        feedback = PairFeedback(pair_id=pair.id, organization_id=pair.organization_id)
        ctx.add(feedback)
    feedback.record(
        respondent=cmd.respondent,
        mentee_id=cmd.mentee_id,
        pair_mentees=list(pair.mentees),
        pair_completed_on=pair.ended_on if pair.status == PairStatus.COMPLETED else None,
        answered_on=cmd.answered_on,
        scores=dict(cmd.scores),
        today=ctx.today,
    )
    return feedback
