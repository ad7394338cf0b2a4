"""The pure matching engine: plain Python over plain data, no database, Kafka or web imports.

Usage::

    engine = MatchingEngine(weights=ScoreWeights(), tz=ZoneInfo("America/Toronto"))
    engine.upsert_area(area)               # AreaState: name, parent city or region, coarse centre
    engine.upsert_member(state)            # MemberState; idempotent, replaces the old entry
    engine.remove_member(member_id)        # erasure or tombstone; True if the member was known
    engine.defer_indexing()                # loading a whole membership: index once, at the end
    engine.build_index()                   # ... now (a question asked before does it too)
    engine.get_member(member_id)           # MemberState | None
    engine.is_eligible(member_id, task, now=now, load=load, excluded=declined)   # -> bool
    engine.candidates(task, now=now, limit=10, loads=loads, excluded=declined)
    # -> list[Candidate(member_id, score, reasons)], best first
    engine.diagnose(task, now=now, loads=loads, asked=offered)
    # -> Diagnosis: members each hard constraint left out, eligible, and what each widening adds
    engine.stats()                         # IndexStats: members, index entries, postings

``loads`` maps member ids to ``MemberLoad(tasks_this_month, recent_tasks, last_offered_at,
busy)``; a member absent from it has no load. ``excluded`` holds members who declined the task or
were already offered it. ``tz`` is the coalition's time zone, in which weekly windows are read.

Hard constraints (all must hold):

- active, and ``tasks_this_month < max_tasks_per_month``;
- every needed skill at the needed level or above;
- a language in common when the task names languages ('pt-br' speakers count for 'pt'), spoken
  at least as fluently as the task's ``min_fluency`` for it;
- place: a remote task needs ``remote_ok``; an in-person task with an area needs a member who can
  go there (their own area, or within their ``reach``: areas they chose, the whole city of their
  area, a distance from its centre; see ``geography``), or, when the task is open to its whole
  city, a member whose own area is in that city; an in-person task without an area is open to
  every area;
- free time: a fixed task needs weekly free time overlapping its window (a start without an end
  counts as one hour), on dates outside the member's unavailable ranges; a flexible task needs
  such free time between ``now`` and its deadline (or within eight weeks when it has none). How
  windows are read (overnight, to midnight, daylight saving) is set out in ``availability``;
- a members-only task (``members_only`` with a ``committee_id``) needs that committee among the
  member's ``committees``;
- no accepted task (``MemberLoad.busy``) overlapping a fixed task's window; not in ``excluded``.

Scoring and rotation are described in ``scoring``; the reasons (data, worded by readers) in
``reasons``; the index in ``index`` and what it is keyed by in ``entries``. The engine does not look
at the task's status: callers ask only for open tasks.
"""

from .diagnosis import Diagnosis
from .engine import MatchingEngine
from .index import IndexStats
from .model import Candidate, MemberLoad, ScoreWeights

__all__ = ["Candidate", "Diagnosis", "IndexStats", "MatchingEngine", "MemberLoad", "ScoreWeights"]
