from django.urls import path

from . import views

app_name = "workorders"

urlpatterns = [
    path("crew/", views.crew_queue, name="crew_queue"),
    path("mine/", views.my_orders, name="mine"),
    path("profile/", views.profile, name="profile"),
    path("new/", views.open_on_the_spot_view, name="open_on_the_spot"),
    path("<int:pk>/", views.order_detail, name="detail"),
    path("<int:pk>/slip/", views.order_slip, name="slip"),
    path("<int:pk>/stacked/", views.stacked, name="stacked"),
    path("<int:pk>/complete/", views.complete, name="complete"),
    path("<int:pk>/photos/", views.add_photos, name="add_photos"),
    path("<int:pk>/photos/<int:photo_pk>/", views.photo, name="photo"),
    path("<int:pk>/do/<slug:move>/", views.order_move, name="move"),
]
