"""What news tells the apps above it, which it may not import (docs/architecture.md)."""

from django.dispatch import Signal

# Sent inside publish_update's transaction with `update`, once it is
# published (now or at a later time); notifications mails the followers.
update_published = Signal()
