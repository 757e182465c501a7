"""Where a `next` parameter may send a fan: back to a page of this site, nowhere else."""

from django.utils.http import url_has_allowed_host_and_scheme


def same_site_path(request, target):
    """Return target when it is a path on this site, else "".

    A bare word ("foo") would resolve against the current URL (and redirect()
    takes it for a view name first), and anything with a scheme or host could
    lead off-site, so only printable "/..." paths pass.
    """
    if (
        target.startswith("/")
        and target.isprintable()
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return ""
