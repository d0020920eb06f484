from django.urls import path

from fundraising.donors import views as donors
from fundraising.views import donor, giving, manage, owner, public

app_name = "fundraising"

# Giving: the fixed give/ paths come before give/<kind>/<slug>/.

urlpatterns = [
    path("campaigns/", public.campaign_list, name="campaigns"),
    path("campaigns/<slug:slug>/", public.campaign_detail, name="campaign"),
    path("campaigns/<slug:slug>/teams/<slug:team>/", public.team_detail, name="team"),
    path("campaigns/<slug:slug>/start/", owner.fundraiser_open, name="fundraiser_open"),
    path("f/<slug:slug>/", public.fundraiser_detail, name="fundraiser"),
    path("f/<slug:slug>/edit/", owner.fundraiser_edit, name="fundraiser_edit"),
    path("f/<slug:slug>/updates/new/", owner.fundraiser_update_new, name="fundraiser_update_new"),
    path("f/<slug:slug>/donations/", owner.fundraiser_donations, name="fundraiser_donations"),
    path("f/<slug:slug>/donations/<int:donation_id>/thank/", owner.donation_thank, name="donation_thank"),
    path("f/<slug:slug>/donations/offline/", owner.offline_record, name="owner_offline_new"),
    path("f/<slug:slug>/hide/", manage.fundraiser_hide, name="fundraiser_hide"),
    path("f/<slug:slug>/unhide/", manage.fundraiser_unhide, name="fundraiser_unhide"),
    path("give/thanks/<str:key>/", giving.thanks, name="thanks"),
    path("give/thanks/<str:key>/status/", giving.thanks_status, name="thanks_status"),
    path("give/sandbox/<str:reference>/", giving.sandbox_checkout, name="sandbox_checkout"),
    path("give/callback/<str:provider>/", giving.callback, name="callback"),
    path("give/me/", donor.donor_page, name="donor_page"),
    path("give/me/find/", donor.donor_find, name="donor_find"),
    path("give/me/leave/", donor.donor_leave, name="donor_leave"),
    path("give/me/consents/", donor.donor_consents, name="donor_consents"),
    path("give/me/statement/<int:year>/", donor.donor_statement, name="donor_statement"),
    path("give/me/link/<str:token>/", donor.donor_link, name="donor_link"),
    path("give/me/monthly/<int:pk>/<str:action>/", donor.subscription_action, name="subscription_action"),
    path("give/<str:kind>/<slug:slug>/", giving.give, name="give"),
    path("fundraising/mine/", owner.mine, name="mine"),
    path("fundraising/manage/", manage.campaigns, name="manage_campaigns"),
    path("fundraising/organisation/donors/", donors.donor_list, name="org_donors"),
    path("fundraising/organisation/donors/person/", donors.donor_person, name="org_donor_person"),
    path("fundraising/organisation/donors/export.csv", donors.donors_csv, name="org_donors_csv"),
    path(
        "fundraising/organisation/donors/monthly/<int:pk>/cancel/",
        donors.donor_subscription_cancel,
        name="org_donor_cancel",
    ),
    path("fundraising/donors/<slug:slug>/", donors.donor_list, name="donors"),
    path("fundraising/donors/<slug:slug>/person/", donors.donor_person, name="donor_person"),
    path("fundraising/donors/<slug:slug>/export.csv", donors.donors_csv, name="donors_csv"),
    path(
        "fundraising/donors/<slug:slug>/monthly/<int:pk>/cancel/",
        donors.donor_subscription_cancel,
        name="donor_cancel",
    ),
    path("fundraising/manage/new/<slug:community>/", manage.campaign_create, name="campaign_create"),
    path("fundraising/manage/<slug:slug>/", manage.campaign_manage, name="manage_campaign"),
    path("fundraising/manage/<slug:slug>/updates/new/", manage.campaign_update_new, name="campaign_update_new"),
    path("fundraising/manage/<slug:slug>/end/", manage.campaign_end, name="campaign_end"),
    path("fundraising/manage/<slug:slug>/donations/", manage.donations, name="manage_donations"),
    path("fundraising/manage/<slug:slug>/donations.csv", manage.donations_csv, name="donations_csv"),
    path("fundraising/manage/<slug:slug>/refunds.csv", manage.refunds_csv, name="refunds_csv"),
    path("fundraising/manage/<slug:slug>/donations/offline/", manage.offline_new, name="offline_new"),
    path("fundraising/manage/<slug:slug>/donations/<int:donation_id>/refund/", manage.refund, name="refund"),
    path(
        "fundraising/manage/<slug:slug>/donations/<int:donation_id>/confirm/",
        manage.offline_decide,
        {"decision": "confirm"},
        name="offline_confirm",
    ),
    path(
        "fundraising/manage/<slug:slug>/donations/<int:donation_id>/reject/",
        manage.offline_decide,
        {"decision": "reject"},
        name="offline_reject",
    ),
]
