from django.urls import path

from initiatives import feeds, views

app_name = "initiatives"

urlpatterns = [
    path("initiatives/", views.initiative_list, name="list"),
    path("initiatives/<slug:slug>/", views.initiative_detail, name="detail"),
    path("initiatives/<slug:slug>/versions/", views.initiative_versions, name="versions"),
    path("initiatives/<slug:slug>/endorse/", views.endorse, name="endorse"),
    path("initiatives/<slug:slug>/withdraw/", views.withdraw, name="withdraw"),
    path("states/", views.state_list, name="states"),
    path("states/<str:code>/", views.state_detail, name="state"),
    path("matrix/", views.state_matrix, name="matrix"),
    path("data/", views.open_data, name="data"),
    path("events/", views.event_list, name="events"),
    path("corrections/", views.correction_list, name="corrections"),
    path("transparency/", views.transparency_log, name="transparency"),
    path("endorsements/<str:reference>/", views.receipt, name="receipt"),
    path("endorsements/<str:reference>/certificate/", views.certificate, name="certificate"),
    path("receipts/verify/", views.verify_receipt, name="verify_receipt"),
    path("embed/initiatives/<slug:slug>/", views.embed, name="embed"),
    path("delegate/drafts/", views.draft_list, name="drafts"),
    path("delegate/drafts/new/", views.draft_propose, name="draft_propose"),
    path("delegate/drafts/<int:pk>/", views.draft_detail, name="draft"),
    path("delegate/drafts/<int:pk>/invite/", views.draft_invite, name="draft_invite"),
    path("delegate/drafts/<int:pk>/accept/", views.draft_accept, name="draft_accept"),
    path("delegate/drafts/<int:pk>/decline/", views.draft_decline, name="draft_decline"),
    path("delegate/drafts/<int:pk>/leave/", views.draft_leave, name="draft_leave"),
    path("delegate/drafts/<int:pk>/lead/", views.draft_hand_over, name="draft_hand_over"),
    path("delegate/drafts/<int:pk>/comment/", views.draft_comment, name="draft_comment"),
    path("delegate/drafts/<int:pk>/versions/", views.draft_versions, name="draft_versions"),
    path("delegate/drafts/<int:pk>/amend/", views.draft_amend, name="draft_amend"),
    path(
        "delegate/drafts/<int:pk>/amendments/<int:amendment>/accept/", views.amendment_accept, name="amendment_accept"
    ),
    path(
        "delegate/drafts/<int:pk>/amendments/<int:amendment>/reject/", views.amendment_reject, name="amendment_reject"
    ),
    path("delegate/drafts/<int:pk>/submit/", views.draft_submit, name="draft_submit"),
    path("delegate/drafts/<int:pk>/confirm/", views.draft_confirm, name="draft_confirm"),
    path("feeds/endorsements/", feeds.EndorsementFeed(), name="feed"),
    path("feeds/initiatives/", feeds.OpenedInitiativeFeed(), name="opened_feed"),
    path("feeds/initiatives/<slug:slug>/", feeds.InitiativeEndorsementFeed(), name="initiative_feed"),
    path("feeds/states/<str:code>/", feeds.StateEndorsementFeed(), name="state_feed"),
]
