from functools import wraps


def refuse_when_suspended(view):
    """Refuse a suspended fan before the view shows a form they could not send.

    It raises Suspended, which aouad's refusal middleware answers (the notice
    saying why and until when, or for htmx a reload that shows it in place).
    Operations check for themselves; this is for the pages in front of them.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            request.user.refuse_if_suspended()
        return view(request, *args, **kwargs)

    return wrapper
