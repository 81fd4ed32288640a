from django.urls import path

from onethread.imports import merge_views, views

urlpatterns = [
    path("imports/", views.imports_page, name="imports"),
    path("imports/runs/<id:run_id>/report.csv", views.import_report, name="import-report"),
    path("accounts/<id:account_id>/merge/", merge_views.merge_accounts_page, name="merge-accounts"),
    path(
        "accounts/<id:account_id>/merge/<id:other_id>/",
        merge_views.merge_accounts_confirm,
        name="merge-accounts-confirm",
    ),
    path(
        "accounts/<id:account_id>/contacts/merge/",
        merge_views.merge_contacts_page,
        name="merge-contacts",
    ),
]
