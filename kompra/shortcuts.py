"""Small view helpers shared by the apps."""

from django.contrib import messages
from django.shortcuts import redirect, render


def refused(request, exc, to, *args):
    """Shows why a request was refused (nothing was changed) and goes back to `to`."""
    messages.error(request, str(exc))
    return redirect(to, *args)


def community_page(request, community, access, template, **context):
    """Renders a page of a community: every such page gets the community and the
    viewer's Access, which the tabs and buttons read."""
    context.update(community=community, access=access)
    return render(request, template, context)
