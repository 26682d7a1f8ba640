from django.urls import path

from . import archive, views, webhooks

app_name = "newsletter"

urlpatterns = [
    path("subscribe/", views.subscribe, name="subscribe"),
    path("subscribe/check-your-inbox/", views.check_inbox, name="check_inbox"),
    path("subscribe/confirm/<str:token>/", views.confirm, name="confirm"),
    path("subscribe/manage/<str:key>/", views.manage, name="manage"),
    path("subscribe/unsubscribe/<str:key>/", views.unsubscribe, name="unsubscribe"),
    path("newsletter/", archive.ArchiveView.as_view(), name="archive"),
    path("newsletter/feed/", archive.ArchiveFeed(), name="feed"),
    path("newsletter/<int:pk>/", views.web_version, name="web_version"),
    # The email provider's bounce and complaint reports (docs/newsletter.md, "Providers").
    *(
        path(f"newsletter/webhooks/{esp}/tracking/", webhooks.endpoint(esp), name=f"{esp}_tracking")
        for esp in webhooks.ENDPOINTS
    ),
]
