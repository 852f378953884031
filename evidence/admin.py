from django.contrib import admin

from evidence.models import PortfolioShare


@admin.register(PortfolioShare)
class PortfolioShareAdmin(admin.ModelAdmin):
    list_display = ["owner", "start", "end", "created_at", "withdrawn_at"]
    list_select_related = ["owner"]
    search_fields = ["owner__full_name", "owner__email"]
    readonly_fields = ["uid", "owner", "start", "end", "created_at", "withdrawn_at"]
