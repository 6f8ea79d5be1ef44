"""Signals of the directory's own."""

from django.dispatch import Signal

# Sent after a bulk write of listings (an import, the sample data), which model signals
# do not report; `using` names the database. api/provider_rows.py builds the stored rows
# the write marked (providers/stored_rows.py) when the transaction commits: the first
# few thousand, or all of them with `all_rows=True` (a command, where time is no matter).
listings_written = Signal()
