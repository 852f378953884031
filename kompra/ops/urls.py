from django.urls import path

from kompra.ops import views

app_name = "ops"

urlpatterns = [
    path("sehat/", views.health, name="health"),
]
