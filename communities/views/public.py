"""Public pages: the community list, a community's page, joining and leaving, invitations and invite links."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from communities import selectors, selectors_public
from communities.forms import CommunityForm, InvitationSignUpForm, JoinConsentsForm, JoinRequestForm
from communities.models import Community, Invitation, InviteLink, Membership
from communities.services import CommunityError
from communities.services import community as community_services
from communities.services import invitations as invitation_services
from communities.services import membership as membership_services
from events import selectors as event_selectors
from fundraising import selectors as fundraising_selectors
from fundraising.models import Campaign
from members import services as member_services

AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _auth_url(name, next_url):
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def community_list(request):
    communities = selectors_public.community_list_for(request.user)
    page = Paginator(communities, 24).get_page(request.GET.get("page"))
    return render(request, "communities/list.html", {"page": page})


def community_detail(request, slug):
    community, membership = selectors.community_for_viewer(request.user, slug)
    is_manager = selectors.is_manager(request.user, community)
    context = {
        "community": community,
        "membership": membership,
        "is_manager": is_manager,
        # A private community tells nothing about its people to anyone but its members.
        "show_members": community.visibility == Community.Visibility.PUBLIC
        or (membership is not None and membership.is_active)
        or request.user.is_staff,
        "member_count": community.memberships.filter(status=Membership.Status.ACTIVE).count(),
        "announcements": selectors_public.latest_announcements(community),
        "events": list(event_selectors.community_events(request.user, community)[:3]),
        "campaigns": list(
            fundraising_selectors.campaigns_visible_to(request.user)
            .filter(community=community, status=Campaign.Status.ACTIVE)
            .order_by("-starts_on")[:3]
        ),
        "join_form": JoinRequestForm(),
        "preferences_form": _preferences_form(request.user, community, membership),
        "login_url": _auth_url("account_login", community.get_absolute_url()),
    }
    return render(request, "communities/detail.html", context)


@login_required
def community_create(request):
    if not request.user.is_staff:
        raise PermissionDenied
    form = CommunityForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            community = community_services.community_create(actor=request.user, **form.cleaned_data)
        except CommunityError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The community is created. You are its manager."))
            return redirect(community)
    return render(request, "communities/create.html", {"form": form})


@require_POST
@login_required
def community_join(request, slug):
    community, _membership = selectors.community_for_viewer(request.user, slug)
    form = JoinRequestForm(request.POST)
    valid = form.is_valid()
    message = form.cleaned_data["message"] if valid else ""
    try:
        membership = membership_services.membership_join(
            user=request.user, community=community, message=message, consents=form.choices() if valid else None
        )
    except CommunityError as exc:
        messages.error(request, str(exc))
    else:
        if membership.is_active:
            messages.success(request, _("Welcome! You are now a member of %(name)s.") % {"name": community.name})
        else:
            messages.success(request, _("Your request is sent. A manager will answer soon; we will e-mail you."))
    return redirect(community)


def _preferences_form(user, community, membership):
    if membership is None or not membership.is_active:
        return None
    return JoinConsentsForm(initial=member_services.community_preferences_of(user=user, community=community))


@require_POST
@login_required
def community_preferences(request, slug):
    """A member says which of this community's e-mails they want (their per-community preferences)."""
    community, membership = selectors.community_for_viewer(request.user, slug)
    form = JoinConsentsForm(request.POST)
    if membership is None or not membership.is_active or not form.is_valid():
        messages.error(request, _("Only the community's members choose its e-mails."))
        return redirect(community)
    for category, allowed in form.choices().items():
        member_services.community_preference_set(
            user=request.user, community=community, category=category, allowed=allowed, source="community page"
        )
    messages.success(request, _("Your choice of e-mails from %(name)s is saved.") % {"name": community.name})
    return redirect(community)


@require_POST
@login_required
def community_leave(request, slug):
    community, _membership = selectors.community_for_viewer(request.user, slug)
    try:
        membership_services.membership_leave(user=request.user, community=community)
    except CommunityError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("You are no longer a member of %(name)s.") % {"name": community.name})
    if not selectors.communities_visible_to(request.user).filter(pk=community.pk).exists():
        return redirect("communities:list")
    return redirect(community)


@require_POST
@login_required
def host_request(request, slug):
    """A member asks to become a host, from the community's events page."""
    community, membership = selectors.community_for_viewer(request.user, slug)
    if membership is None:
        messages.error(request, _("Join the community first."))
    else:
        try:
            membership_services.membership_host_request(
                membership=membership, by=request.user, message=request.POST.get("message", "")
            )
        except CommunityError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Your request is with the managers. You will get an e-mail once they decide."))
    return redirect("events:community", slug=community.slug)


def invitation(request, token):
    """An invitation by e-mail: accept it (signed in), sign up on the way (new person), or sign in first."""
    invitation = get_object_or_404(Invitation.objects.select_related("community", "invited_by"), token=token)
    if request.user.is_authenticated:
        return _invitation_for_user(request, invitation)
    return _invitation_for_visitor(request, invitation)


def _invitation_for_user(request, invitation):
    if invitation.accepted_by_id == request.user.pk:
        return redirect(invitation.community)
    if request.method == "POST":
        try:
            invitation_services.invitation_accept(token=invitation.token, user=request.user)
        except CommunityError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Welcome to %(name)s!") % {"name": invitation.community.name})
            return redirect(invitation.community)
    problem = invitation_services.invitation_problem(invitation=invitation, user=request.user)
    return render(request, "communities/invitation.html", {"invitation": invitation, "problem": problem})


def _invitation_for_visitor(request, invitation):
    context = {"invitation": invitation, "login_url": _auth_url("account_login", request.path)}
    try:
        invitation_services.invitation_check(invitation)
    except CommunityError as exc:
        return render(request, "communities/invitation.html", {**context, "problem": str(exc)})
    if selectors_public.user_exists(invitation.email):
        return render(request, "communities/invitation.html", {**context, "has_account": True})
    form = InvitationSignUpForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            membership = invitation_services.invitation_sign_up(token=invitation.token, **form.cleaned_data)
        except CommunityError as exc:
            form.add_error(None, str(exc))
        else:
            login(request, membership.user, backend=AUTH_BACKEND)
            messages.success(request, _("Welcome to %(name)s!") % {"name": invitation.community.name})
            return redirect(invitation.community)
    return render(request, "communities/invitation.html", {**context, "form": form})


def invite_link(request, token):
    """A shareable link: signed-in people join with one tap; visitors sign in or sign up and come back."""
    link = get_object_or_404(InviteLink.objects.select_related("community"), token=token)
    if request.method == "POST" and request.user.is_authenticated:
        try:
            invitation_services.invite_link_use(token=link.token, user=request.user)
        except CommunityError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Welcome to %(name)s!") % {"name": link.community.name})
            return redirect(link.community)
    membership = selectors.membership_of(request.user, link.community)
    context = {
        "link": link,
        "community": link.community,
        "membership": membership,
        "problem": _link_problem(link),
        "login_url": _auth_url("account_login", request.path),
        "signup_url": _auth_url("account_signup", request.path),
    }
    return render(request, "communities/invite_link.html", context)


def _link_problem(link):
    try:
        invitation_services.invite_link_check(link)
    except CommunityError as exc:
        return str(exc)
    return ""
