"""Records of processing for the operator: the requests and the consent log, with their
state and dates. The admin sees requests, not contents: no download, no personal text."""

from django.contrib import admin

from privacy_rights.models import DeletionRequest, ExportRequest, PhotoConsentEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DeletionRequest)
class DeletionRequestAdmin(ReadOnlyAdmin):
    list_display = ["pk", "user_id", "state", "requested_at", "erase_after", "cancelled_at", "erased_at"]
    list_filter = ["state"]
    date_hierarchy = "requested_at"
    fields = ["user_id", "state", "requested_at", "erase_after", "cancelled_at", "erased_at"]
    readonly_fields = fields


@admin.register(ExportRequest)
class ExportRequestAdmin(ReadOnlyAdmin):
    # The file itself is not shown: only its owner may download it.
    list_display = ["pk", "user_id", "state", "requested_at", "ready_at", "expires_at", "size"]
    list_filter = ["state"]
    date_hierarchy = "requested_at"
    fields = ["uid", "user_id", "state", "requested_at", "ready_at", "expires_at", "size"]
    readonly_fields = fields


@admin.register(PhotoConsentEvent)
class PhotoConsentEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "kind", "community", "photo_uid", "by_id"]
    list_filter = ["kind"]
    date_hierarchy = "at"
    fields = ["at", "kind", "community", "activity", "photo_uid", "by_id"]
    readonly_fields = fields
