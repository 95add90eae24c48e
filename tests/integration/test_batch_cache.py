"""The batch cache: batches decide on the aggregates earlier batches left, without a store read per
aggregate, yet never on stale ones — whoever wrote in between, and whatever a refused batch did."""

from __future__ import annotations

from datetime import date

import pytest
from support.world import ADMIN, Region, curator_of, person, profile

from registry import commands as c
from registry.errors import BatchRefused, Conflict, RuleViolation
from registry.mentors import Mentor


def _suspend(mentor) -> c.SuspendMentor:
    return c.SuspendMentor(mentor_id=mentor, reason="Длительный отпуск", effective_date=date(2021, 10, 1))


def _pair(school, mentor, mentee) -> c.FormPair:
    return c.FormPair(organization_id=school, mentor_id=mentor, mentee_ids=[mentee], form="pupil_pupil",
                      started_on=date(2021, 10, 5))


def _profile(mentor, capacity: int) -> c.UpdateMentorProfile:
    return c.UpdateMentorProfile(mentor_id=mentor, person=person("Петрова Анна Ивановна"),
                                 profile=profile(), capacity=capacity)


@pytest.mark.parametrize("writer", ["this process", "another process"])
def test_a_mentor_suspended_between_two_batches_cannot_be_paired_by_the_second(open_store, writer):
    registry = open_store()
    region = Region(registry)
    school = region.home
    mentor, pupil = region.active_mentor(school), region.mentee(school)
    registry.execute_batch([_profile(mentor, 3)], curator_of(school))  # the mentor now sits in the cache
    other = registry if writer == "this process" else open_store()
    other.execute(_suspend(mentor), ADMIN)

    with pytest.raises(BatchRefused) as refused:
        registry.execute_batch([_pair(school, mentor, pupil)], curator_of(school))
    assert isinstance(refused.value.error, RuleViolation)
    assert registry.get(Mentor, mentor).status == "suspended"
    if other is not registry:
        other.close()


def test_a_refused_batch_leaves_no_half_made_change_for_the_next(registry):
    region = Region(registry)
    school = region.home
    [applied] = registry.execute_batch([c.SubmitMentorApplication(
        organization_id=school, person=person("Петрова Анна Ивановна"), profile=profile(), capacity=2,
        applied_on=date(2021, 9, 1))], curator_of(school))
    mentor = applied.aggregate_id
    approve = c.ApproveMentor(mentor_id=mentor, effective_date=date(2021, 9, 10))
    unknown_pupil = region.mentee(school)
    with pytest.raises(BatchRefused) as refused:
        # The approval is decided on the cached mentor, then the pair is refused: nothing recorded.
        registry.execute_batch([approve, _pair(school, mentor, unknown_pupil),
                                c.ApproveMentor(mentor_id=mentor, effective_date=date(2021, 9, 11))], ADMIN)
    assert refused.value.index == 2

    registry.execute_batch([approve], ADMIN)
    assert [type(e).__name__ for e in registry.history(mentor)] == ["Applied", "Approved"]
    assert registry.get(Mentor, mentor).version == 2


def test_a_batch_that_lost_a_race_is_dropped_and_its_retry_decides_afresh(open_store):
    registry, other = open_store(), open_store()
    region = Region(registry)
    school = region.home
    mentor = region.active_mentor(school)
    curator = curator_of(school)
    registry.execute_batch([_profile(mentor, 3)], curator)

    batch = registry.batch()
    batch.execute(_profile(mentor, 4), curator)
    other.execute(_profile(mentor, 5), curator)  # recorded while the batch is still open
    with pytest.raises(Conflict):
        batch.commit()
    registry.execute_batch([_profile(mentor, 6)], curator)

    assert registry.get(Mentor, mentor).capacity == 6
    assert [e.capacity for e in registry.history(mentor) if type(e).__name__ == "ProfileUpdated"] == [3, 5, 6]
    other.close()
