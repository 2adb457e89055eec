from django.db import models


class Row(models.Model):
    """One short text: the one-INSERT view adds one, the list views read the first 50."""

    body = models.CharField(max_length=200)

    def __str__(self):
        return self.body
