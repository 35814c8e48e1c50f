from django.urls import path

from workorders.choices import Channel

from . import views

app_name = "hotline"

urlpatterns = [
    path("intake/", views.intake, name="intake"),
    path("window/", views.intake, {"channel": Channel.WALK_IN}, name="window"),
    path("intake/check/", views.intake_check, name="intake-check"),
    path("lookup/", views.lookup, name="lookup"),
    path("callers/register/", views.register_caller, name="register-caller"),
    path("rooms/", views.room_options, name="room-options"),
    path("board/", views.board, name="board"),
    path("board/<int:pk>/<slug:action>/", views.board_action, name="board-action"),
    path("calls/", views.call_list, name="calls"),
    path("calls/inbox/", views.call_inbox, name="inbox"),
    path("calls/<int:pk>/", views.call_detail, name="call"),
    path("calls/<int:pk>/hand-over/", views.call_hand_over, name="call-hand-over"),
    path("calls/<int:pk>/answer/", views.call_answer, name="call-answer"),
    path("calls/<int:pk>/close/", views.call_close, name="call-close"),
    path("ringing/", views.ringing, name="ringing"),
    path("intake-times/", views.intake_times, name="intake-times"),
    path("incidents/new/", views.incident_new, name="incident-new"),
]
