from django.contrib import admin

from publishing.models import Publication


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = ["title", "community", "status", "published_at", "published_by"]
    list_filter = ["status"]
    search_fields = ["title", "summary", "community__name"]
    list_select_related = ["community", "published_by"]
    autocomplete_fields = ["community", "activity", "product", "reflection", "published_by", "photos"]
    readonly_fields = ["uid", "created_at"]
