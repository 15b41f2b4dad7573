"""Work done after the request's transaction commits: e-mail now, other slow work later.

`enqueue(func, *args)` records a call to run once the current transaction commits, and
forgets it if the transaction rolls back: a refused or failed request sends nothing. The
function and its arguments must be plain data (a dotted function name and JSON-like values),
because with REDIS_URL set the call is queued on Redis and run by `flask --app tracker worker`;
without it, the call runs in this process just after the commit. Either way the function runs
outside the request's transaction, with a database session of its own.
"""

from __future__ import annotations

from tracker.jobs.after_commit import enqueue, install

__all__ = ["enqueue", "install"]
