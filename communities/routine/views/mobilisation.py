"""Calls to action: the manager's page (/c/<slug>/manage/calls/) and the landing page behind the
e-mail's tracked link (/go/<token>/)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from communities import selectors
from communities.crm.selectors import community_tags
from communities.crm.services.contacts import CrmInputError
from communities.models import Membership
from communities.routine.forms import CallToActionForm
from communities.routine.services import mobilisation
from communities.routine.views.checkins import _render
from communities.services import CommunityError


@login_required
def calls(request, slug):
    community = selectors.community_for_manager(request.user, slug)
    form = CallToActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            call = mobilisation.call_to_action_send(
                community=community,
                actor=request.user,
                segment=mobilisation.segment_from(request.POST),
                **form.cleaned_data,
            )
        except CrmInputError as exc:
            for field, message in exc.errors.items():
                form.add_error(field, message)
        except CommunityError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your call is on its way to %(count)s people.") % {"count": call.recipients})
            return redirect("communities:calls", slug=community.slug)
    page = Paginator(mobilisation.calls_of(community), 20).get_page(request.GET.get("page"))
    groups = [
        ("role", _("Role"), Membership.Role.choices),
        ("stage", _("Stage"), Membership.Stage.choices),
        ("level", _("Engagement"), Membership.Level.choices),
        ("tag", _("Tags"), [(tag.pk, tag.name) for tag in community_tags(community)]),
    ]
    context = {"form": form, "page": page, "segment_groups": _segment_groups(request, groups)}
    return _render(request, "communities/mobilisation/calls.html", community, "messages", **context)


@require_http_methods(["GET", "POST"])
def call_to_action_go(request, token):
    """The tracked link: a visit counts as opened, the button as a response."""
    try:
        if request.method == "POST":
            response = mobilisation.call_to_action_respond(token=token)
        else:
            response = mobilisation.call_to_action_open(token=token)
    except CommunityError as exc:
        return render(request, "communities/mobilisation/landing.html", {"error": str(exc)}, status=400)
    return render(request, "communities/mobilisation/landing.html", {"response": response, "call": response.call})


def _segment_groups(request, groups):
    """The segment's checkboxes: (name, label, [(value, label, ticked)]) keeping what was ticked."""
    return [
        (name, label, [(value, text, str(value) in request.POST.getlist(name)) for value, text in choices])
        for name, label, choices in groups
    ]
