"""How each app declares the rows that belong to a fan (AppConfig.fan_data).

Every relation from a model to the fan's account is declared by the app
that owns the model: which part of the fan's export holds those rows, and
what deleting the account does to them. privacy reads neither list to do
its work, but its tests read both: a relation nobody declared, an export
section the download lacks, or a declared fate the relation's on_delete
cannot give, fails them (tests/test_fan_data.py). So a new model that names
a fan cannot be forgotten by the export or by deletion.
"""

from dataclasses import dataclass

from django.db import models

# Why the rows naming a staff member who acted are not theirs to take away.
STAFF_ACT = "A staff member's act: the site's record, not the staff member's own data."


class Leaving(models.TextChoices):
    """What deleting a fan's account does to their rows of one relation."""

    # Gone with the account (on_delete=CASCADE, or privacy deletes them first).
    DELETED = "deleted"
    # Kept for the record, without the fan's name (on_delete=SET_NULL).
    UNNAMED = "unnamed"
    # Kept as "[deleted account]", disowned by an operation before the account
    # goes, since the rows hold up others' (on_delete=PROTECT).
    DISOWNED = "disowned"


@dataclass(frozen=True)
class FanData:
    """One relation to the fan: "Model.field" (or "app_label.Model.field" for another app's).

    `export` names where privacy's download holds the rows ("votes",
    "profile.email_addresses"), or is None when it must not; `why` then says
    why, as it does for every relation that is a staff member's act.
    """

    relation: str
    leaving: Leaving
    export: str | None = None
    why: str = ""
