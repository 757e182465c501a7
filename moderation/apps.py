from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts.fan_data import STAFF_ACT, FanData, Leaving


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = _("Moderation")
    fan_data = [
        # Kept without the reporter: the comment's reports still count.
        FanData("Report.reporter", Leaving.UNNAMED, export="reports_made"),
        FanData("Report.resolved_by", Leaving.UNNAMED, why=STAFF_ACT),
        FanData("Suspension.user", Leaving.DELETED, export="suspensions"),
        FanData("Suspension.created_by", Leaving.UNNAMED, why=STAFF_ACT),
        FanData("Suspension.lifted_by", Leaving.UNNAMED, why=STAFF_ACT),
        FanData("ModerationEvent.actor", Leaving.UNNAMED, why=STAFF_ACT),
        # The public log keeps the act without the fan's name.
        FanData("ModerationEvent.target_user", Leaving.UNNAMED, export="moderation_of_me"),
        # A plea in the fan's own words goes with them (privacy.deletion).
        FanData("ReviewRequest.requester", Leaving.DELETED, export="review_requests"),
        FanData("ReviewRequest.decided_by", Leaving.UNNAMED, why=STAFF_ACT),
    ]

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
