from django.db import models


class RateCount(models.Model):
    """One fixed window's count for one rate-limit key (see privacy.ratelimit).

    The key names the scope, the window's number and, for a client, a keyed daily hash:
    never an address. `expires` is the end of the window, never a time taken from a request.
    Rows are deleted only once their window has ended (ratelimit.purge_expired), so no flood
    of new keys can push out a count that is still running.

    The same table holds the programs' data versions (programs.versions, keys "version:…"):
    counters raised with the same one-statement upsert, whose window never ends.
    """

    key = models.CharField(max_length=100, primary_key=True)
    count = models.PositiveIntegerField()
    expires = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.key}: {self.count}"
