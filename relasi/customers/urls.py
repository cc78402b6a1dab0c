from django.urls import path

from relasi.customers import dq_views, views

app_name = "customers"

urlpatterns = [
    *views.PersonViewSet().urls("people"),
    *views.OrganizationViewSet().urls("organisations"),
    *views.GroupViewSet().urls("groups"),
    path("<int:pk>/timeline/", views.timeline_fragment, name="timeline"),
    path(
        "<int:pk>/sensitive/<str:field>/reveal/",
        views.reveal_sensitive,
        name="reveal_sensitive",
    ),
    path("<int:pk>/notes/", views.add_note, name="add_note"),
    path("<int:pk>/stage/", views.change_stage, name="change_stage"),
    path("<int:pk>/blacklist/", views.blacklist, name="blacklist"),
    path("<int:pk>/relationships/", views.add_relationship, name="add_relationship"),
    path(
        "<int:pk>/relationships/<int:rel_pk>/remove/",
        views.remove_relationship,
        name="remove_relationship",
    ),
    path("<int:pk>/memberships/", views.add_membership, name="add_membership"),
    path(
        "<int:pk>/memberships/<int:m_pk>/remove/", views.remove_membership, name="remove_membership"
    ),
    path("<int:pk>/addresses/", views.add_address, name="add_address"),
    path("<int:pk>/addresses/<int:a_pk>/remove/", views.remove_address, name="remove_address"),
    path("<int:pk>/attachments/", views.upload_attachment, name="upload_attachment"),
    path("attachments/<int:pk>/", views.download_attachment, name="attachment_download"),
    path("attachments/<int:pk>/delete/", views.delete_attachment, name="attachment_delete"),
    path(
        "groups/<int:pk>/members/<int:customer_pk>/remove/",
        views.group_remove_member,
        name="group_remove_member",
    ),
    path("duplicates/", dq_views.queue, name="duplicates"),
    path("duplicates/scan/", dq_views.start_scan, name="duplicates_scan"),
    path("duplicates/threshold/", dq_views.set_threshold, name="duplicates_threshold"),
    path("duplicates/bulk-merge/", dq_views.bulk_merge, name="duplicates_bulk_merge"),
    path("duplicates/<int:pk>/dismiss/", dq_views.dismiss, name="duplicate_dismiss"),
    path("merge/<int:a>/<int:b>/", dq_views.merge_view, name="merge"),
    path("<int:pk>/reassign-delete/", dq_views.reassign_delete, name="reassign_delete"),
    path("<int:pk>/archive/", dq_views.archive, name="archive"),
    path("merges/<int:pk>/", dq_views.merge_record, name="merge_record"),
    path("merges/<int:pk>/undo/", dq_views.undo, name="merge_undo"),
]
