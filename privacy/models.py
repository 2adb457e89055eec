from django.db import models
from django.db.models import F, Q

# Named in the database's refusal: ratelimit.refused tells it from any other error.
CEILING_CONSTRAINT = "ratecount_within_ceiling"


class RateCount(models.Model):
    """One fixed window's count for one rate-limit key (see privacy.ratelimit).

    The key names the scope, the window's number and, for a client, a keyed daily hash:
    never an address. `expires` is the end of the window, never a time taken from a request.
    Rows are deleted only once their window has ended (ratelimit.purge_expired), so no flood
    of new keys can push out a count that is still running.

    The same table holds the programs' data versions (programs.versions, keys "version:…"):
    counters raised with the same one-statement upsert, whose window never ends.

    A hit may carry a `ceiling`, the count it must not take the row past (a limit, or 1 for
    a form's one-time token): the database refuses such a hit, so the statement it is part
    of (the intake's, with the request's own rows) is refused whole. A NULL ceiling counts
    without a bound; the caller judges the count itself.
    """

    key = models.CharField(max_length=100, primary_key=True)
    count = models.PositiveIntegerField()
    expires = models.DateTimeField(db_index=True)
    ceiling = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(ceiling__isnull=True) | Q(count__lte=F("ceiling")),
                name=CEILING_CONSTRAINT,
            )
        ]

    def __str__(self):
        return f"{self.key}: {self.count}"
