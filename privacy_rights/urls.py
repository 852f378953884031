from django.urls import path

from privacy_rights import views

app_name = "privacy"

urlpatterns = [
    path("privasi/", views.notice, name="notice"),
    path("privasi/hapus-akun/", views.account_delete, name="delete"),
    path("privasi/hapus-akun/terjadwal/", views.deletion_scheduled, name="deletion_scheduled"),
]
