"""The matching service: scored, explainable offers of tasks to members, and their lifecycle.

How it fits together (details in each module):

- ``engine/``: the pure matching engine (members in memory, candidates with scores and reasons).
- ``members_reader`` / ``member_states``: every instance replays the compacted members topic from
  offset 0 at start-up (all partitions, no consumer group) into the engine, is ready only once it
  reached the end offsets, then follows it; erased or paused members have their offers withdrawn.
- ``tasks_reader``: the tasks topic in one consumer group shared by all instances; each task's state
  is stored with its partition number. ``ownership`` tracks the partitions this instance holds.
- ``scheduler``: the worker thread. It tops up the tasks something just happened to (``work``
  collects them: a new or changed task, a decline, a freed place, a member who joins, found
  through ``open_tasks``, the reverse index), expiries as they come due, and runs a rate-limited
  reconciliation pass in small steps behind that fresh work.
- ``worker``: topping up one task (expire, then send offers up to the wave ``waves`` sizes from
  the task's answers so far, each waiting as long as ``waves.AnswerTime`` allows); ``loads``:
  members' loads, waiting offers counted.
- ``handlers`` (called by ``api``): accept, decline, withdraw, reads; like ``reads``,
  ``asked_for`` and ``unfilled``, each takes a ``handlers.Call`` first (the transaction, the wiring,
  the caller and the moment), as the members and tasks services' handlers do. ``capacity`` holds the
  conditional updates that make "never more accepted than slots" a database invariant.
- ``offers`` / ``events``: every status change is a conditional update and an event on the offers
  topic, written through the outbox in the same transaction.

Tables: ``offer`` (the lifecycle), ``task_fill`` (slots and accepted count per task),
``member_month_load`` (accepted per member and month), ``matching_task`` (copy of the tasks topic).
"""
