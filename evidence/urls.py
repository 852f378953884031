from django.urls import path

from evidence import views

app_name = "evidence"

urlpatterns = [
    path("portofolio-saya/", views.my_portfolio, name="mine"),
    path("portofolio-saya.pdf", views.my_portfolio_pdf, name="mine_pdf"),
    path("portofolio-saya/bagikan/", views.share_create, name="share"),
    path("portofolio-saya/bagikan/<uuid:uid>/tarik/", views.share_withdraw, name="withdraw"),
    path("portofolio-guru/", views.shared_list, name="shared_list"),
    path("portofolio-guru/<uuid:uid>/", views.shared_portfolio, name="shared"),
    path("portofolio-guru/<uuid:uid>.pdf", views.shared_portfolio_pdf, name="shared_pdf"),
]
