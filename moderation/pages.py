"""Presenters for moderation's pages."""

from django.core.exceptions import PermissionDenied

from . import decisions
from .forms import ReviewRequestForm
from .models import ReviewRequest


class CommentDecisionPage:
    """Why moderators hid a comment, for its author (who may ask for a review once) and staff.

    Raises PermissionDenied for anyone else: the note and the fan's request
    are between the author and the moderators.
    """

    def __init__(self, request, comment, form=None):
        user = request.user
        self.is_author = comment.author_id is not None and comment.author_id == user.pk
        self.is_moderator = any(user.has_perm(p) for p in decisions.MODERATE_COMMENTS)
        if not (self.is_author or self.is_moderator):
            raise PermissionDenied
        self.comment = comment
        self.decision = decisions.last_hide(comment)
        self.review = (
            ReviewRequest.objects.filter(decision=self.decision).first() if self.decision else None
        )
        self._form = form

    @property
    def is_hidden(self):
        return self.comment.status == self.comment.Status.HIDDEN

    @property
    def may_ask(self):
        return self.is_author and self.decision is not None and self.review is None

    @property
    def form(self):
        if not self.may_ask:
            return None
        return self._form or ReviewRequestForm()
