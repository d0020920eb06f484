"""Manager pages under /c/<slug>/manage/: settings, join requests, invitations, invite links,
announcements and the people with roles. Anyone but the community's managers (and staff) gets a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from communities import selectors, selectors_public
from communities.forms import (
    AnnouncementForm,
    CommunityForm,
    GiveRoleForm,
    InvitationForm,
    InviteLinkForm,
    RoleForm,
)
from communities.models import Membership
from communities.services import CommunityError
from communities.services import announcements as announcement_services
from communities.services import community as community_services
from communities.services import invitations as invitation_services
from communities.services import membership as membership_services
from config.confirm import confirm_page, is_confirmed, wants_test
from config.ratelimit import send_limited, too_many_response

PAGE_SIZE = 50
Role = Membership.Role


def _render(request, template, community, tab, **context):
    context.update(community=community, tab=tab, pending_count=selectors_public.pending_count(community))
    return render(request, template, context)


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _back(request, name, community):
    return redirect(f"communities:{name}", slug=community.slug)


@login_required
def manage_settings(request, slug):
    community = selectors.community_for_manager(request.user, slug)
    form = CommunityForm(request.POST or None, request.FILES or None, instance=community)
    if request.method == "POST" and form.is_valid():
        try:
            community = community_services.community_update(
                community=community, actor=request.user, **form.cleaned_data
            )
        except CommunityError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The community's settings are saved."))
            return redirect("communities:manage", slug=community.slug)
    community.refresh_from_db()  # a rejected form must not show its values as saved in the header
    return _render(request, "communities/manage/settings.html", community, "settings", form=form)


@login_required
def manage_requests(request, slug):
    community = selectors.community_for_manager(request.user, slug)
    page = _page(request, selectors_public.pending_requests(community))
    hosts = list(selectors_public.host_requests(community)[:100])
    return _render(request, "communities/manage/requests.html", community, "requests", page=page, hosts=hosts)


@require_POST
@login_required
def manage_host_decide(request, slug, pk, decision):
    """Approve or turn down a member's request to become a host."""
    community = selectors.community_for_manager(request.user, slug)
    membership = selectors_public.membership_in(community, pk)
    try:
        membership_services.membership_host_decide(
            membership=membership, actor=request.user, approve=decision == "approve"
        )
    except CommunityError as exc:
        messages.error(request, str(exc))
    else:
        name = membership.user.name or membership.user.email
        done = _("%(name)s is a host now.") if decision == "approve" else _("%(name)s stays a member.")
        messages.success(request, done % {"name": name})
    return _back(request, "manage_requests", community)


@require_POST
@login_required
def manage_request_decide(request, slug, pk, decision):
    community = selectors.community_for_manager(request.user, slug)
    membership = selectors_public.membership_in(community, pk)
    if decision == "decline" and not is_confirmed(request):
        return _confirm_decline(request, community, membership)
    decide = membership_services.membership_approve if decision == "approve" else membership_services.membership_decline
    error = ""
    try:
        decide(membership=membership, actor=request.user)
    except CommunityError as exc:
        error = str(exc)
    if request.htmx:
        context = {"request_row": membership, "decision": "" if error else decision, "error": error}
        return render(request, "communities/manage/requests.html#request-row", {"community": community, **context})
    if error:
        messages.error(request, error)
    return _back(request, "manage_requests", community)


def _confirm(request, community, back, *, title, effects, button):
    return confirm_page(
        request, title=title, effects=effects, button=button, back=reverse(f"communities:{back}", args=[community.slug])
    )


def _confirm_decline(request, community, membership):
    name = membership.user.name or membership.user.email
    return _confirm(
        request,
        community,
        "manage_requests",
        title=_("Decline %(name)s's request?") % {"name": name},
        effects=[
            _("%(name)s will get an e-mail that their request to join is declined.") % {"name": name},
            _("They can ask again later."),
        ],
        button=_("Decline the request"),
    )


@login_required
def manage_invitations(request, slug):
    community = selectors.community_for_manager(request.user, slug)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wait = send_limited(request, kind="invitation", target=form.cleaned_data["email"])
        if wait:
            return too_many_response(request, wait=wait)
        try:
            invitation_services.invitation_send(community=community, actor=request.user, **form.cleaned_data)
        except CommunityError as exc:
            form.add_error("email", str(exc))
        else:
            messages.success(request, _("The invitation is on its way to %(email)s.") % form.cleaned_data)
            return _back(request, "manage_invitations", community)
    page = _page(request, selectors_public.invitations_of(community))
    context = {"form": form, "page": page, "now": timezone.now()}
    return _render(request, "communities/manage/invitations.html", community, "invitations", **context)


@require_POST
@login_required
def manage_invitation_revoke(request, slug, pk):
    community = selectors.community_for_manager(request.user, slug)
    invitation = selectors_public.invitation_in(community, pk)
    if not is_confirmed(request):
        return _confirm(
            request,
            community,
            "manage_invitations",
            title=_("Revoke the invitation to %(email)s?") % {"email": invitation.email},
            effects=[
                _("The link in the e-mail sent to %(email)s will stop working; they are not told.")
                % {"email": invitation.email},
                _("To invite them again, send a new invitation."),
            ],
            button=_("Revoke the invitation"),
        )
    try:
        invitation = invitation_services.invitation_revoke(invitation=invitation, actor=request.user)
    except CommunityError as exc:
        messages.error(request, str(exc))
    if request.htmx:
        context = {"community": community, "invitation": invitation, "now": timezone.now()}
        return render(request, "communities/manage/invitations.html#invitation-row", context)
    return _back(request, "manage_invitations", community)


@login_required
def manage_links(request, slug):
    community = selectors.community_for_manager(request.user, slug)
    form = InviteLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation_services.invite_link_create(community=community, actor=request.user, **form.cleaned_data)
        except CommunityError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The invite link is ready: copy it and share it."))
            return _back(request, "manage_links", community)
    page = _page(request, selectors_public.invite_links_of(community))
    context = {"form": form, "page": page, "now": timezone.now()}
    return _render(request, "communities/manage/links.html", community, "links", **context)


@require_POST
@login_required
def manage_link_revoke(request, slug, pk):
    community = selectors.community_for_manager(request.user, slug)
    link = selectors_public.invite_link_in(community, pk)
    if not is_confirmed(request):
        joined = ngettext(
            "%(n)d person joined through it; they stay members.",
            "%(n)d people joined through it; they stay members.",
            link.uses,
        )
        return _confirm(
            request,
            community,
            "manage_links",
            title=_("Revoke this invite link?"),
            effects=[_("The link will stop working for everyone who has it."), joined % {"n": link.uses}],
            button=_("Revoke the link"),
        )
    link = invitation_services.invite_link_revoke(link=link, actor=request.user)
    if request.htmx:
        context = {"community": community, "link": link, "now": timezone.now()}
        return render(request, "communities/manage/links.html#link-row", context)
    return _back(request, "manage_links", community)


@login_required
def manage_announcements(request, slug):
    community = selectors.community_for_manager(request.user, slug)
    form = AnnouncementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if wants_test(request) or not is_confirmed(request):
                return _announcement_confirm(request, community, form)
            announcement_services.announcement_publish(community=community, actor=request.user, **form.cleaned_data)
        except CommunityError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Published. Members who asked for news will receive it by e-mail."))
            return _back(request, "manage_announcements", community)
    page = _page(request, selectors_public.announcements_of(community))
    context = {"form": form, "page": page}
    return _render(request, "communities/manage/announcements.html", community, "announcements", **context)


def _announcement_confirm(request, community, form):
    """Before publishing: who gets it, a preview, and (on request) a test sent to the manager alone."""
    if wants_test(request):
        announcement_services.announcement_send_test(community=community, actor=request.user, **form.cleaned_data)
        messages.success(request, _("A test is on its way to %(email)s.") % {"email": request.user.email})
    recipients, opted_out = announcement_services.announcement_reach(community=community)
    effects = [
        ngettext("%(n)d person will get this e-mail.", "%(n)d people will get this e-mail.", recipients)
        % {"n": recipients},
        ngettext(
            "%(n)d member has turned off news and will only see it on the community page.",
            "%(n)d members have turned off news and will only see it on the community page.",
            opted_out,
        )
        % {"n": opted_out},
    ]
    preview = format_html(
        '<h2 class="h5">{}</h2><div class="kd-rich">{}</div>',
        form.cleaned_data["title"],
        mark_safe(community_services.rich_text(form.cleaned_data["body"])),  # noqa: S308 - cleaned by nh3
    )
    return confirm_page(
        request,
        title=_("Publish and send “%(title)s”?") % {"title": form.cleaned_data["title"]},
        effects=effects,
        button=_("Publish and send"),
        back=reverse("communities:manage_announcements", args=[community.slug]),
        fields=["title", "body"],
        preview=preview,
        test_button=_("Send me a test"),
        danger=False,
    )


@login_required
def manage_roles(request, slug):
    """The managers and hosts, with a form to give a member a role by their e-mail."""
    community = selectors.community_for_manager(request.user, slug)
    form = GiveRoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        membership = selectors_public.active_member_by_email(community, form.cleaned_data["email"])
        if membership is None:
            form.add_error("email", _("No active member of this community has this e-mail."))
        elif _lowers(membership, form.cleaned_data["role"]) and not is_confirmed(request):
            return _confirm_demotion(
                request, community, membership, form.cleaned_data["role"], fields=["email", "role"]
            )
        elif _change_role(request, membership, form.cleaned_data["role"]):
            return _back(request, "manage_roles", community)
    context = {"form": form, "people": selectors_public.people_with_roles(community), "role_choices": Role.choices}
    return _render(request, "communities/manage/roles.html", community, "roles", **context)


@require_POST
@login_required
def manage_person_role(request, slug, pk):
    community = selectors.community_for_manager(request.user, slug)
    membership = selectors_public.membership_in(community, pk)
    form = RoleForm(request.POST)
    if form.is_valid():
        role = form.cleaned_data["role"]
        if _lowers(membership, role) and not is_confirmed(request):
            return _confirm_demotion(request, community, membership, role)
        _change_role(request, membership, role)
    return _after_people_change(request, community)


RANK = {Role.MEMBER: 0, Role.HOST: 1, Role.MANAGER: 2}


def _lowers(membership, role):
    return RANK.get(role, 0) < RANK.get(membership.role, 0)


def _confirm_demotion(request, community, membership, role, fields=("role",)):
    """Taking a role away closes pages to someone: say which before it happens."""
    name, yourself = membership.user.name or membership.user.email, membership.user == request.user
    if membership.role == Role.MANAGER:
        lost = (
            _("You will no longer manage this community: its manager pages will be closed to you.")
            if yourself
            else _("%(name)s will no longer manage this community: its manager pages will be closed to them.")
        )
    else:
        lost = _("%(name)s will no longer be able to propose and run events as a host.")
    return confirm_page(
        request,
        title=_("Change %(name)s's role to “%(role)s”?") % {"name": name, "role": Role(role).label},
        effects=[lost % {"name": name}],
        button=_("Change the role"),
        back=reverse("communities:manage_roles", args=[community.slug]),
        fields=fields,
    )


@require_POST
@login_required
def manage_person_remove(request, slug, pk):
    community = selectors.community_for_manager(request.user, slug)
    membership = selectors_public.membership_in(community, pk)
    if not is_confirmed(request):
        name = membership.user.name or membership.user.email
        return _confirm(
            request,
            community,
            "manage_roles",
            title=_("Remove %(name)s from the community?") % {"name": name},
            effects=[
                _("%(name)s will lose their role and stop getting the community's e-mails; they are not told.")
                % {"name": name},
                _("They can come back only with a new invitation."),
            ],
            button=_("Remove from the community"),
        )
    try:
        membership_services.membership_remove(membership=membership, actor=request.user)
    except CommunityError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(name)s is removed from the community.") % {"name": membership.user})
    return _after_people_change(request, community)


def _change_role(request, membership, role):
    try:
        membership_services.membership_change_role(membership=membership, role=role, actor=request.user)
    except CommunityError as exc:
        messages.error(request, str(exc))
        return False
    messages.success(request, _("%(name)s's role is saved.") % {"name": membership.user})
    return True


def _after_people_change(request, community):
    # A manager who stepped down has no manager pages any more.
    if not selectors.is_manager(request.user, community):
        return redirect(community)
    return _back(request, "manage_roles", community)
