from django.urls import path

from reports import views

app_name = "reports"

K = "k/<slug:slug>/"

urlpatterns = [
    path(K + "laporan/portofolio/", views.portfolio, name="portfolio"),
    path(K + "laporan/portofolio.pdf", views.portfolio_pdf_download, name="portfolio_pdf"),
    path(K + "ekspor/kegiatan.csv", views.activities_csv, name="activities_csv"),
    path(K + "ekspor/semua.zip", views.archive_zip, name="archive"),
]
