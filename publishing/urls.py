from django.urls import path

from publishing import views

app_name = "publishing"

urlpatterns = [
    path("k/<slug:slug>/publikasi/", views.publications, name="list"),
    path("k/<slug:slug>/publikasi/baru/", views.new, name="new"),
    path("k/<slug:slug>/publikasi/<uuid:uid>/tarik/", views.withdraw, name="withdraw"),
    path("k/<slug:slug>/publikasi/<uuid:uid>/jawab/", views.author_answer, name="author_answer"),
    path("publik/", views.showcase, name="showcase"),
    path("publik/sekolah/<str:npsn>/", views.school_page, name="school"),
    path("publik/k/<slug:slug>/", views.public_community, name="community"),
    path("publik/p/<uuid:uid>/", views.publication_page, name="public"),
    path("publik/p/<uuid:uid>/foto/<uuid:photo_uid>/", views.public_photo, name="photo"),
    path("publik/p/<uuid:uid>/foto/<uuid:photo_uid>/kecil/", views.public_thumbnail, name="thumbnail"),
    path("bahasa/<str:code>/", views.language_link, name="language"),
]
