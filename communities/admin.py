from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from communities.models import (
    Community,
    Invitation,
    Membership,
    Problem,
    ProblemComment,
    StageChange,
    VisibilityChange,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "community"
    extra = 0
    fields = ["user", "role", "status", "joined_at", "left_at"]
    autocomplete_fields = ["user"]


class StageChangeInline(admin.TabularInline):
    model = StageChange
    extra = 0
    fields = ["from_stage", "to_stage", "changed_by", "note", "created_at", "endorsed_by", "endorsed_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["changed_by", "endorsed_by"]


class VisibilityChangeInline(admin.TabularInline):
    model = VisibilityChange
    extra = 0
    fields = ["created_at", "from_visibility", "to_visibility", "changed_by", "public_items", "items"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["name", "home_school", "stage", "kind", "visibility", "archived", "created_at"]
    list_filter = ["stage", "kind", "visibility", "archived", "home_school__level"]
    search_fields = ["name", "slug", "concern", "home_school__name", "home_school__npsn"]
    list_select_related = ["home_school"]
    autocomplete_fields = ["home_school"]
    readonly_fields = ["slug", "created_at"]
    inlines = [MembershipInline, StageChangeInline, VisibilityChangeInline]

    def has_delete_permission(self, request, obj=None):
        # Communities are archived, never deleted: their history is the point.
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "community", "role", "status", "joined_at"]
    list_filter = ["role", "status"]
    search_fields = ["user__full_name", "user__email", "community__name"]
    list_select_related = ["user", "community"]
    autocomplete_fields = ["user", "community", "invited_by"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "community", "invited_by", "created_at", "expires_at", "accepted_at", "revoked"]
    list_filter = ["revoked"]
    search_fields = ["email", "community__name"]
    list_select_related = ["community", "invited_by"]
    readonly_fields = ["token"]
    autocomplete_fields = ["community", "school", "invited_by"]


@admin.register(StageChange)
class StageChangeAdmin(admin.ModelAdmin):
    list_display = ["community", "from_stage", "to_stage", "changed_by", "created_at", "endorsed_by"]
    list_filter = ["to_stage"]
    search_fields = ["community__name", "note"]
    list_select_related = ["community", "changed_by", "endorsed_by"]
    autocomplete_fields = ["community", "changed_by", "endorsed_by"]


class ProblemCommentInline(admin.TabularInline):
    model = ProblemComment
    extra = 0
    autocomplete_fields = ["author"]


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin):
    list_display = ["title", "community", "status", "is_focus", "raised_by", "created_at"]
    list_filter = ["status", "is_focus"]
    search_fields = ["title", "description", "community__name"]
    list_select_related = ["community", "raised_by"]
    autocomplete_fields = ["community", "raised_by", "supporters"]
    inlines = [ProblemCommentInline]


@admin.register(VisibilityChange)
class VisibilityChangeAdmin(admin.ModelAdmin):
    """Who changed which community's visibility, and whether what it had published was
    kept public or withdrawn. A record of what happened: read-only."""

    list_display = [
        "community",
        "from_visibility",
        "to_visibility",
        "public_items",
        "item_count",
        "changed_by",
        "created_at",
    ]
    list_filter = ["public_items", "to_visibility"]
    search_fields = ["community__name", "changed_by__full_name", "changed_by__email"]
    list_select_related = ["community", "changed_by"]
    date_hierarchy = "created_at"

    @admin.display(description=_("items"))
    def item_count(self, obj):
        return len(obj.items)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
