"""The one API router: every app registers its viewsets and views here, under /api/v1/."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from communities.api import communities as communities_api
from communities.crm import api as directory_api
from communities.insights import api as dashboard_api
from communities.routine import api as checkins_api
from events import api as events_api
from fundraising import api as fundraising_api
from fundraising.donors import api as donors_api
from members import api as members_api

router = DefaultRouter()
router.register("communities", communities_api.CommunityViewSet, basename="community")
router.register(
    r"communities/(?P<community_pk>\d+)/memberships", communities_api.MembershipViewSet, basename="community-membership"
)
router.register(
    r"communities/(?P<community_pk>\d+)/invitations", communities_api.InvitationViewSet, basename="community-invitation"
)
router.register("events", events_api.EventViewSet, basename="event")
router.register("registrations", events_api.RegistrationViewSet, basename="registration")
router.register("campaigns", fundraising_api.CampaignViewSet, basename="campaign")
router.register("fundraisers", fundraising_api.FundraiserViewSet, basename="fundraiser")
router.register("teams", fundraising_api.TeamViewSet, basename="team")
router.register("donations", fundraising_api.DonationViewSet, basename="donation")

urlpatterns = [
    path("me/", members_api.me, name="me"),
    path("me/data/", members_api.me_data, name="me-data"),
    path("dashboard/", dashboard_api.OrganisationDashboard.as_view(), name="dashboard"),
    path(
        "communities/<int:community_pk>/dashboard/",
        dashboard_api.CommunityDashboard.as_view(),
        name="community_dashboard",
    ),
    # The member directory (communities/api/directory.py), for a community's managers.
    path("communities/<int:community_pk>/members/", directory_api.MemberList.as_view(), name="directory_members"),
    path(
        "communities/<int:community_pk>/members/<int:pk>/",
        directory_api.MemberDetail.as_view(),
        name="directory_member",
    ),
    path(
        "communities/<int:community_pk>/members/<int:pk>/contacts/",
        directory_api.MemberContacts.as_view(),
        name="directory_member_contacts",
    ),
    # The check-in queue and the message centre (communities/api/checkins.py), for a community's managers.
    path("communities/<int:community_pk>/checkins/", checkins_api.CheckinQueue.as_view(), name="checkin_queue"),
    path(
        "communities/<int:community_pk>/checkins/<int:pk>/call/",
        checkins_api.CheckinLogCall.as_view(),
        name="checkin_call",
    ),
    path(
        "communities/<int:community_pk>/checkins/<int:pk>/snooze/",
        checkins_api.CheckinSnooze.as_view(),
        name="checkin_snooze",
    ),
    path(
        "communities/<int:community_pk>/checkins/<int:pk>/assign/",
        checkins_api.CheckinAssign.as_view(),
        name="checkin_assign",
    ),
    path("communities/<int:community_pk>/messages/", checkins_api.CommunityMessages.as_view(), name="messages"),
    path("communities/<int:community_pk>/sendings/", checkins_api.CommunitySendings.as_view(), name="sendings"),
    path("communities/<int:community_pk>/donors/", donors_api.DonorList.as_view(), name="donors"),
    path("communities/<int:community_pk>/subscriptions/", donors_api.SubscriptionList.as_view(), name="subscriptions"),
    path(
        "communities/<int:community_pk>/subscriptions/<int:pk>/cancel/",
        donors_api.SubscriptionCancel.as_view(),
        name="subscription_cancel",
    ),
    path("me/gifts/", donors_api.MyGifts.as_view(), name="my_gifts"),
    path(
        "me/subscriptions/<int:pk>/<str:action>/",
        donors_api.MySubscriptionAction.as_view(),
        name="my_subscription_action",
    ),
    *router.urls,
]
