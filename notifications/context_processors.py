from django.utils.functional import SimpleLazyObject

from .delivery import deliver_update_notifications_lately


def unread_notifications(request):
    """Give templates the signed-in fan's unread count, worked out only if shown."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count():
        deliver_update_notifications_lately(user)
        # What the list would show: a hidden reply or news taken back is not news.
        return user.notifications.visible_now().unread().count()

    return {"unread_notifications": SimpleLazyObject(count)}
