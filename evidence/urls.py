from django.urls import path

from evidence import certificate_views, views

app_name = "evidence"

urlpatterns = [
    path("portofolio-saya/", views.my_portfolio, name="mine"),
    path("portofolio-saya.pdf", views.my_portfolio_pdf, name="mine_pdf"),
    path("portofolio-saya/bagikan/", views.share_create, name="share"),
    path("portofolio-saya/bagikan/<uuid:uid>/tarik/", views.share_withdraw, name="withdraw"),
    path("portofolio-guru/", views.shared_list, name="shared_list"),
    path("portofolio-guru/<uuid:uid>/", views.shared_portfolio, name="shared"),
    path("portofolio-guru/<uuid:uid>.pdf", views.shared_portfolio_pdf, name="shared_pdf"),
    path("k/<slug:slug>/sertifikat/", certificate_views.community_certificates, name="certificates"),
    path("sertifikat/persetujuan/", certificate_views.approvals, name="approvals"),
    path("sertifikat/<uuid:uid>/setujui/", certificate_views.approve, name="approve"),
    path("sertifikat/<uuid:uid>/tolak/", certificate_views.decline, name="decline"),
    path("sertifikat/<uuid:uid>/cabut/", certificate_views.revoke, name="revoke"),
    path("sertifikat/<uuid:uid>.pdf", certificate_views.certificate_pdf, name="certificate_pdf"),
    path("verifikasi/<str:code>/", certificate_views.verify, name="verify"),
]
