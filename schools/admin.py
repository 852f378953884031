from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from communities.text import shorten
from schools.models import Feedback


class IsReplyFilter(admin.SimpleListFilter):
    title = _("kind")
    parameter_name = "balasan"

    def lookups(self, request, model_admin):
        return [("0", _("thread")), ("1", _("reply"))]

    def queryset(self, request, queryset):
        if self.value() in ("0", "1"):
            return queryset.filter(reply_to__isnull=self.value() == "0")
        return queryset


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["short_body", "community", "about", "author", "is_reply", "created_at"]
    list_filter = [IsReplyFilter, "created_at", "community__home_school__level", "community__stage"]
    search_fields = [
        "body",
        "community__name",
        "community__home_school__name",
        "community__home_school__npsn",
        "author__full_name",
        "author__email",
    ]
    list_select_related = ["community", "author", "activity", "stage_change__community"]
    date_hierarchy = "created_at"
    readonly_fields = ["uid", "created_at"]
    raw_id_fields = ["community", "activity", "stage_change", "reply_to", "author"]
    ordering = ["-created_at"]

    @admin.display(description=_("feedback"))
    def short_body(self, obj):
        return shorten(obj.body, 80)

    @admin.display(description=_("about"))
    def about(self, obj):
        # activity and stage_change come with list_select_related: no query per row.
        return obj.activity or obj.stage_change or _("the community")

    @admin.display(description=_("reply"), boolean=True)
    def is_reply(self, obj):
        return obj.reply_to_id is not None
