from django.urls import path

from relasi.activities import calendar_views, views, visit_views

app_name = "activities"

urlpatterns = [
    path("", views.home, name="home"),
    path("my-tasks/", views.my_tasks, name="my_tasks"),
    *views.TaskViewSet().urls("tasks"),
    *views.CallViewSet().urls("calls"),
    *views.MeetingViewSet().urls("meetings"),
    path("<int:pk>/complete/", views.complete, name="complete"),
    path("<int:pk>/invite/", views.invite, name="invite"),
    path("lookup/customers/", views.customer_lookup, name="customer_lookup"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
    path(
        "notifications/read-through/<int:pk>/",
        views.notifications_read_through,
        name="notifications_read_through",
    ),
    path("calendar/", calendar_views.calendar_page, name="calendar"),
    path("calendar/feed/", calendar_views.feed_settings, name="feed"),
    path(
        "calendar/feed/<str:key>/regenerate/",
        calendar_views.feed_regenerate,
        name="feed_regenerate",
    ),
    path("calendar/feed/<str:key>/scope/", calendar_views.feed_scope, name="feed_scope"),
    path("ical/<str:token>.ics", calendar_views.ical_feed, name="ical"),
    path("a/<str:token>/", calendar_views.respond, name="respond"),
    *visit_views.visit_urls(),
]
