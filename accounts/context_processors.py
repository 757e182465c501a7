def email_confirmation(request):
    """Whether a signed-in fan must still confirm an email before voting and commenting.

    base.html then shows a banner naming the address (when there is one) with
    a button that mails the link again.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.has_confirmed_email:
        return {}
    address = user.emailaddress_set.order_by("-primary", "pk").first()
    return {"must_confirm_email": True, "email_to_confirm": address.email if address else ""}
