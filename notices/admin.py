from django.contrib import admin

from notices.models import Digest, Notice


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "kind", "created_at", "read_at", "email_status", "email_attempts"]
    list_filter = ["email_status", "kind", "withdrawn"]
    search_fields = ["title", "recipient__email", "key"]
    raw_id_fields = ["recipient"]
    readonly_fields = ["uid", "key", "created_at", "emailed_at", "email_error"]


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    list_display = ["user", "week", "status", "created_at"]
    list_filter = ["status", "week"]
    raw_id_fields = ["user"]
