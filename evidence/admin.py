from django.contrib import admin

from evidence.models import Certificate, PortfolioShare


@admin.register(PortfolioShare)
class PortfolioShareAdmin(admin.ModelAdmin):
    list_display = ["owner", "start", "end", "created_at", "withdrawn_at"]
    list_select_related = ["owner"]
    search_fields = ["owner__full_name", "owner__email"]
    readonly_fields = ["uid", "owner", "start", "end", "created_at", "withdrawn_at"]


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    """Read-only: certificates change state only through the principal's decisions."""

    list_display = ["holder", "community", "start", "end", "state", "decided_at", "code"]
    list_filter = ["state"]
    list_select_related = ["holder", "community"]
    search_fields = ["holder__full_name", "community__name", "code"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
