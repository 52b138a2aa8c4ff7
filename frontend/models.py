"""What staff edit for the website: the announcement banner and house ads."""

import hashlib

from django.db import models


class Announcement(models.Model):
    """The banner above every page; the newest enabled one shows. People can
    dismiss it; a changed text shows again."""

    text = models.CharField(max_length=300)
    enabled = models.BooleanField(default=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated", "-id"]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def version(self) -> str:
        """What a browser remembers on dismissal: changes with the text, even
        when it is edited within the same second it was published."""
        return f"{self.pk}-{hashlib.sha256(self.text.encode()).hexdigest()[:12]}"


class HouseAd(models.Model):
    """Our own ads for free-plan pages when no ad network is configured; one
    is picked at random, in proportion to its weight."""

    name = models.CharField(max_length=100, help_text="For staff only.")
    text = models.CharField(max_length=200)
    link = models.CharField(max_length=500, help_text="https://… or a path on this site, such as /plan/.")
    image = models.ImageField(upload_to="house-ads/", blank=True)
    weight = models.PositiveIntegerField(default=1)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
