from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from supervision.models import SchoolFeedback


@admin.register(SchoolFeedback)
class SchoolFeedbackAdmin(admin.ModelAdmin):
    list_display = ["short_body", "school", "author", "is_reply", "created_at"]
    list_filter = ["created_at", "school__level", "school__province"]
    search_fields = ["body", "school__name", "school__npsn", "author__full_name", "author__email"]
    list_select_related = ["school", "author"]
    date_hierarchy = "created_at"
    readonly_fields = ["uid", "created_at"]
    raw_id_fields = ["school", "reply_to", "author"]
    ordering = ["-created_at"]

    @admin.display(description=_("feedback"))
    def short_body(self, obj):
        return obj.body[:80]

    @admin.display(description=_("reply"), boolean=True)
    def is_reply(self, obj):
        return obj.reply_to_id is not None
