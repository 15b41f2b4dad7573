"""What waits for each person: the queue of work the tracker asks of them ("Waiting for you").

`rules.py` holds one rule per kind of work (a stage review to decide, evidence to review, a
task due soon...), each a plain function over loaded records; `services.py` loads what the
rules read in a fixed number of queries and gives one person's queue (`waiting_for`) or the
whole project's (`waiting_in`, for the dashboard); `home.py` puts the queue on the project
home page. The queue reads the other areas and none of them reads it.
"""
