from django.contrib import admin

from activities.models import (
    ActionPlan,
    Activity,
    Attendance,
    CalendarToken,
    Document,
    Product,
    Reflection,
)


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    autocomplete_fields = ["user"]


class DocumentInline(admin.TabularInline):
    model = Document
    extra = 0
    fields = ["kind", "original_name", "caption", "shows_students", "consent_confirmed", "uploaded_by"]
    readonly_fields = ["kind", "original_name", "uploaded_by"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        # Uploads go through the app, where files are verified and re-encoded.
        return False


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["title", "community", "kind", "status", "starts_at"]
    list_filter = ["kind", "status"]
    search_fields = ["title", "community__name", "agenda", "minutes"]
    list_select_related = ["community"]
    date_hierarchy = "starts_at"
    autocomplete_fields = ["community", "problem", "proposed_by"]
    inlines = [AttendanceInline, DocumentInline]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "community", "kind", "size", "shows_students", "consent_confirmed", "created_at"]
    list_filter = ["kind", "shows_students", "consent_confirmed"]
    search_fields = ["original_name", "caption", "community__name"]
    list_select_related = ["community"]
    readonly_fields = ["file", "thumbnail", "content_type", "size", "sha256", "width", "height", "original_name"]
    autocomplete_fields = ["community", "activity", "product", "uploaded_by"]

    def has_add_permission(self, request):
        return False


@admin.register(ActionPlan)
class ActionPlanAdmin(admin.ModelAdmin):
    list_display = ["what", "community", "owner", "due", "status"]
    list_filter = ["status"]
    search_fields = ["what", "community__name", "owner__full_name"]
    list_select_related = ["community", "owner"]
    autocomplete_fields = ["community", "problem", "owner", "created_by"]


@admin.register(Reflection)
class ReflectionAdmin(admin.ModelAdmin):
    list_display = ["author", "community", "template", "value", "created_at"]
    list_filter = ["template", "value"]
    search_fields = ["author__full_name", "community__name"]
    list_select_related = ["author", "community"]
    autocomplete_fields = ["community", "author", "activity", "action_plan", "stage_change"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["title", "community", "created_at"]
    search_fields = ["title", "description", "community__name"]
    list_select_related = ["community"]
    autocomplete_fields = ["community", "authors", "problem", "created_by"]


@admin.register(CalendarToken)
class CalendarTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    search_fields = ["user__full_name", "user__email"]
    fields = ["user", "created_at"]
    readonly_fields = ["user", "created_at"]
